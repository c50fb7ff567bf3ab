package io.psyberg.flink.catalog;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Options that say which Iceberg catalog holds the tables of a process. Shared by the DataStream
 * builders and the SQL connector; the same keys under the {@code psyberg.catalog.} prefix of a
 * Flink configuration act as defaults (see {@link CatalogSpec#fromOptions}).
 */
@PublicEvolving
public final class PsybergCatalogOptions {

  /** Prefix of catalog properties passed through unchanged to the Iceberg catalog. */
  public static final String CATALOG_PROPERTY_PREFIX = "catalog.";

  /**
   * Prefix under which a Flink configuration gives catalog defaults, e.g. {@code
   * psyberg.catalog.warehouse}.
   */
  public static final String FLINK_CONFIG_DEFAULTS_PREFIX = "psyberg.";

  public static final ConfigOption<CatalogType> CATALOG_TYPE =
      ConfigOptions.key("catalog-type")
          .enumType(CatalogType.class)
          .defaultValue(CatalogType.HADOOP)
          .withDescription(
              "Iceberg catalog type: hadoop (a warehouse folder, the embedded default), jdbc, rest"
                  + " or hive. Ignored when 'catalog-impl' is set.");

  public static final ConfigOption<String> CATALOG_IMPL =
      ConfigOptions.key("catalog-impl")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Class name of a custom org.apache.iceberg.catalog.Catalog implementation.");

  public static final ConfigOption<String> CATALOG_NAME =
      ConfigOptions.key("catalog-name")
          .stringType()
          .defaultValue("psyberg")
          .withDescription(
              "Name given to the Iceberg catalog instance (used in logs and metrics).");

  public static final ConfigOption<String> WAREHOUSE =
      ConfigOptions.key("warehouse")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Warehouse location, e.g. file:///tmp/psyberg-warehouse or a plain local folder."
                  + " Required for the hadoop and jdbc catalogs.");

  public static final ConfigOption<String> URI =
      ConfigOptions.key("uri")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Catalog URI: a JDBC URL (jdbc), a REST endpoint (rest) or a metastore URI (hive).");

  public static final ConfigOption<String> METADATA_NAMESPACE =
      ConfigOptions.key("metadata-namespace")
          .stringType()
          .defaultValue("psyberg")
          .withDescription(
              "Namespace of the metadata tables 'sessions' and 'high_watermarks' in the same"
                  + " catalog.");

  private PsybergCatalogOptions() {}
}
