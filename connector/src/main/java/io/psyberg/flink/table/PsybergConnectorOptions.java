package io.psyberg.flink.table;

import io.psyberg.flink.catalog.PsybergCatalogOptions;
import io.psyberg.flink.config.OptionReader;
import io.psyberg.flink.sink.PsybergSinkOptions;
import io.psyberg.flink.source.PsybergSourceOptions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;

/**
 * The option set of the {@code 'connector' = 'psyberg'} SQL connector, derived from the options
 * classes shared with the builders so the two cannot drift. Prefixed options ({@code catalog.*}
 * passthrough and {@code audit.<name>.severity}) are checked separately.
 */
@Internal
public final class PsybergConnectorOptions {
  private PsybergConnectorOptions() {}

  public static Set<ConfigOption<?>> required() {
    return Set.of(PsybergSourceOptions.TABLE, PsybergSourceOptions.PROCESS_NAME);
  }

  public static Set<ConfigOption<?>> catalogOptions() {
    return declared(PsybergCatalogOptions.class);
  }

  /** Options a source table takes besides the required and catalog ones. */
  public static Set<ConfigOption<?>> sourceOptions() {
    Set<ConfigOption<?>> out = declared(PsybergSourceOptions.class);
    out.addAll(sqlSourceOptions());
    out.removeAll(required());
    return out;
  }

  /** Source options of SQL tables only (the builders do not take them). */
  public static Set<ConfigOption<?>> sqlSourceOptions() {
    return declared(PsybergSqlSourceOptions.class);
  }

  public static Set<ConfigOption<?>> sinkOptions() {
    return declared(PsybergSinkOptions.class);
  }

  /** Every option the connector knows, for documentation and error messages. */
  public static Set<ConfigOption<?>> all() {
    Set<ConfigOption<?>> out = new LinkedHashSet<>(required());
    out.addAll(catalogOptions());
    out.addAll(sourceOptions());
    out.addAll(sinkOptions());
    return out;
  }

  private static Set<ConfigOption<?>> declared(Class<?> holder) {
    return OptionReader.declaredIn(holder);
  }

  /** Prefixes under which any key is accepted (then checked by the connector itself). */
  public static List<String> prefixes() {
    return List.of(
        PsybergCatalogOptions.CATALOG_PROPERTY_PREFIX, PsybergSinkOptions.AUDIT_SEVERITY_PREFIX);
  }
}
