package io.psyberg.flink.table;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.sink.PsybergSinkOptions;
import io.psyberg.flink.sink.PsybergWriteConf;
import io.psyberg.flink.source.PsybergReadConf;
import io.psyberg.flink.source.PsybergSourceOptions;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;

/**
 * The options of one psyberg SQL table as given, with its resolved catalog and its source and sink
 * options resolved once (so a bad value fails at planning, naming the table).
 */
final class TableOptions {
  final String sqlName;
  final Map<String, String> raw;
  final CatalogSpec catalog;
  final PsybergReadConf read;
  final PsybergWriteConf write;

  TableOptions(
      String sqlName,
      Map<String, String> raw,
      CatalogSpec catalog,
      PsybergReadConf read,
      PsybergWriteConf write) {
    this.sqlName = sqlName;
    this.raw = raw;
    this.catalog = catalog;
    this.read = read;
    this.write = write;
  }

  /** Whether the table reads the current rows within its process's change range. */
  boolean withinChangeRange() {
    return withinChangeRange(raw, context());
  }

  /**
   * The value of {@code 'within-change-range'} in {@code raw}.
   *
   * @throws IllegalArgumentException naming the option, the value and the valid values
   */
  static boolean withinChangeRange(Map<String, String> raw, String context) {
    String key = PsybergSqlSourceOptions.WITHIN_CHANGE_RANGE.key();
    String value = raw.getOrDefault(key, "false").trim().toLowerCase(Locale.ROOT);
    if (!value.equals("true") && !value.equals("false")) {
      throw new IllegalArgumentException(
          String.format(
              "%s: invalid value '%s' for option '%s'. Valid values: true, false.",
              context, raw.get(key), key));
    }
    return value.equals("true");
  }

  String process() {
    return raw.get(PsybergSourceOptions.PROCESS_NAME.key());
  }

  /** Names the table and its process in error messages. */
  String context() {
    return context(sqlName, process());
  }

  static String context(String sqlName, String process) {
    return "Table " + sqlName + (process == null ? "" : " (process " + process + ")");
  }

  /** The options a source builder takes, by key. */
  Map<String, String> sourceOptions() {
    Set<String> keys =
        keys(PsybergConnectorOptions.required(), PsybergConnectorOptions.sourceOptions());
    keys.removeAll(keys(PsybergConnectorOptions.sqlSourceOptions()));
    return select(keys::contains);
  }

  /** The options a sink builder takes, by key (with {@code audit.<name>.severity}). */
  Map<String, String> sinkOptions() {
    Set<String> keys =
        keys(PsybergConnectorOptions.required(), PsybergConnectorOptions.sinkOptions());
    return select(k -> keys.contains(k) || PsybergSinkOptions.severityOf(k) != null);
  }

  @SafeVarargs
  private static Set<String> keys(Set<ConfigOption<?>>... options) {
    return Arrays.stream(options)
        .flatMap(Set::stream)
        .map(ConfigOption::key)
        .collect(Collectors.toCollection(HashSet::new));
  }

  private Map<String, String> select(Predicate<String> key) {
    Map<String, String> out = new LinkedHashMap<>();
    raw.forEach(
        (k, v) -> {
          if (key.test(k)) {
            out.put(k, v);
          }
        });
    return out;
  }
}
