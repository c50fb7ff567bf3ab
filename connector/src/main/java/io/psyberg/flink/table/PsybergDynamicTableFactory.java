package io.psyberg.flink.table;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.catalog.PsybergCatalogOptions;
import io.psyberg.flink.sink.PsybergSinkOptions;
import io.psyberg.flink.sink.PsybergWriteConf;
import io.psyberg.flink.source.PsybergReadConf;
import io.psyberg.flink.source.PsybergSourceOptions;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
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
@Internal
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
    // Any 'catalog-type' goes with 'catalog-impl' (it is ignored then): Flink checks only its key,
    // CatalogSpec its value.
    out.remove(PsybergCatalogOptions.CATALOG_TYPE);
    out.add(
        ConfigOptions.key(PsybergCatalogOptions.CATALOG_TYPE.key()).stringType().noDefaultValue());
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
    Map<String, String> raw = new LinkedHashMap<>(context.getCatalogTable().getOptions());
    String name = context.getObjectIdentifier().asSummaryString();
    String ctx = TableOptions.context(name, raw.get(PsybergSourceOptions.PROCESS_NAME.key()));
    // Values first, so that a bad one gets the connector's message (option, value, valid values);
    // then Flink's check of required and unknown keys.
    Configuration config = Configuration.fromMap(raw);
    PsybergReadConf read;
    PsybergWriteConf write;
    CatalogSpec catalog;
    try {
      read = PsybergReadConf.resolve(config, ctx);
      write = PsybergWriteConf.resolve(config, ctx);
      TableOptions.withinChangeRange(raw, ctx);
      catalog = CatalogSpec.fromOptions(raw, flinkConfig(context.getConfiguration()), ctx);
      FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
      helper.validateExcept(PsybergConnectorOptions.prefixes().toArray(new String[0]));
      checkAuditKeys(raw, name);
    } catch (IllegalArgumentException e) {
      throw new ValidationException(e.getMessage(), e);
    }
    return new TableOptions(name, raw, catalog, read, write);
  }

  /** {@code audit.*} keys must be a known audit option or {@code audit.<name>.severity}. */
  private static void checkAuditKeys(Map<String, String> raw, String table) {
    Set<String> known =
        PsybergConnectorOptions.sinkOptions().stream()
            .map(ConfigOption::key)
            .collect(Collectors.toCollection(TreeSet::new));
    for (String key : raw.keySet()) {
      if (key.startsWith(PsybergSinkOptions.AUDIT_SEVERITY_PREFIX)
          && !known.contains(key)
          && PsybergSinkOptions.severityOf(key) == null) {
        throw new ValidationException(
            String.format(
                "Table %s: unsupported option '%s'. Audit options are: %s, and"
                    + " audit.<name>.severity = error | warn.",
                table,
                key,
                known.stream().filter(k -> k.startsWith("audit.")).collect(Collectors.toList())));
      }
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
