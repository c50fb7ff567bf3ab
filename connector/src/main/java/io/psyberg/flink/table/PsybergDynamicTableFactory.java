package io.psyberg.flink.table;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.sink.PsybergSinkOptions;
import io.psyberg.flink.source.PsybergSourceOptions;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.TableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * {@code 'connector' = 'psyberg'}: a process's session source and its write-audit-publish sink in
 * Flink SQL. Catalog options left out are taken from the Flink configuration's {@code
 * psyberg.catalog.*} keys.
 */
public final class PsybergDynamicTableFactory
    implements DynamicTableSourceFactory, DynamicTableSinkFactory {
  public static final String IDENTIFIER = "psyberg";

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return PsybergConnectorOptions.required();
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    Set<ConfigOption<?>> out = new HashSet<>(PsybergConnectorOptions.catalogOptions());
    out.addAll(PsybergConnectorOptions.sourceOptions());
    out.addAll(PsybergConnectorOptions.sinkOptions());
    return out;
  }

  @Override
  public DynamicTableSource createDynamicTableSource(Context context) {
    TableOptions options = validate(context);
    return new PsybergDynamicSource(options, context.getCatalogTable().getResolvedSchema());
  }

  @Override
  public DynamicTableSink createDynamicTableSink(Context context) {
    TableOptions options = validate(context);
    return new PsybergDynamicSink(options, context.getCatalogTable().getResolvedSchema());
  }

  private TableOptions validate(Context context) {
    FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
    helper.validateExcept(PsybergConnectorOptions.prefixes().toArray(new String[0]));
    Map<String, String> raw = new LinkedHashMap<>(context.getCatalogTable().getOptions());
    String name = context.getObjectIdentifier().asSummaryString();
    checkAuditKeys(raw, name);
    ReadableConfig options = helper.getOptions();
    String process = options.get(PsybergSourceOptions.PROCESS_NAME);
    CatalogSpec catalog;
    try {
      catalog =
          CatalogSpec.fromOptions(
              raw,
              flinkConfig(context.getConfiguration()),
              "Table " + name + " (process " + process + ")");
    } catch (IllegalArgumentException e) {
      throw new ValidationException(e.getMessage(), e);
    }
    return new TableOptions(name, options, raw, catalog);
  }

  /** {@code audit.*} keys must be a known audit option or {@code audit.<name>.severity}. */
  private static void checkAuditKeys(Map<String, String> raw, String table) {
    Set<String> known =
        PsybergConnectorOptions.sinkOptions().stream()
            .map(ConfigOption::key)
            .collect(Collectors.toCollection(TreeSet::new));
    for (String key : raw.keySet()) {
      if (!key.startsWith(PsybergSinkOptions.AUDIT_SEVERITY_PREFIX) || known.contains(key)) {
        continue;
      }
      if (key.endsWith(PsybergSinkOptions.AUDIT_SEVERITY_SUFFIX)) {
        String value = raw.get(key).trim().toLowerCase(Locale.ROOT);
        if (!value.equals("error") && !value.equals("warn")) {
          throw new ValidationException(
              String.format(
                  "Table %s: invalid value '%s' for option '%s'. Valid values: error, warn.",
                  table, raw.get(key), key));
        }
        continue;
      }
      throw new ValidationException(
          String.format(
              "Table %s: unsupported option '%s'. Audit options are: %s, and audit.<name>.severity"
                  + " = error | warn.",
              table,
              key,
              known.stream().filter(k -> k.startsWith("audit.")).collect(Collectors.toList())));
    }
  }

  /**
   * The session configuration: the environment's root configuration overlaid by the table config.
   */
  static Map<String, String> flinkConfig(ReadableConfig config) {
    Map<String, String> out = new LinkedHashMap<>();
    if (config instanceof TableConfig) {
      TableConfig tc = (TableConfig) config;
      if (tc.getRootConfiguration() instanceof Configuration) {
        out.putAll(((Configuration) tc.getRootConfiguration()).toMap());
      }
      out.putAll(tc.getConfiguration().toMap());
    } else if (config instanceof Configuration) {
      out.putAll(((Configuration) config).toMap());
    }
    return out;
  }
}
