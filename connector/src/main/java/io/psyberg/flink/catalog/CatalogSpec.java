package io.psyberg.flink.catalog;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.config.OptionReader;
import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.flink.CatalogLoader;

/**
 * A serializable description of an Iceberg catalog: its type (or implementation class), warehouse,
 * URI and passthrough properties. Jobs ship it to the cluster and open the catalog where they run.
 * {@link #toString()} never shows property values, which may hold credentials.
 */
@PublicEvolving
public final class CatalogSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The folder an embedded catalog uses when none is given. */
  public static final String DEFAULT_WAREHOUSE = "./psyberg-warehouse";

  private static final String JDBC_CATALOG_IMPL = "org.apache.iceberg.jdbc.JdbcCatalog";

  /** A {@code password=} query parameter of a JDBC URI, with the separator before it. */
  private static final Pattern URI_PASSWORD =
      Pattern.compile("([?&])password=([^&]*)&?", Pattern.CASE_INSENSITIVE);

  private static final Pattern SECRET_KEY =
      Pattern.compile("password|secret|token|credential|key", Pattern.CASE_INSENSITIVE);

  private final String name;
  private final String type;
  private final String catalogImpl;
  private final String warehouse;
  private final String uri;
  private final Map<String, String> properties;
  private final String metadataNamespace;

  private CatalogSpec(
      String name,
      String type,
      String catalogImpl,
      String warehouse,
      String uri,
      Map<String, String> properties,
      String metadataNamespace) {
    this.name = name;
    this.type = type;
    this.catalogImpl = catalogImpl;
    this.warehouse = warehouse;
    this.uri = uri;
    this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    this.metadataNamespace = metadataNamespace;
  }

  /** The embedded default: a Hadoop catalog over a local warehouse folder. */
  public static CatalogSpec embedded(String warehouseDir) {
    return new CatalogSpec(
        "psyberg", "hadoop", null, normalizeWarehouse(warehouseDir), null, Map.of(), "psyberg");
  }

  /** A Hadoop catalog over any warehouse location Hadoop can reach. */
  public static CatalogSpec hadoop(String warehouse) {
    return embedded(warehouse);
  }

  /**
   * Reads catalog settings from connector options; where an option is absent the same key under the
   * {@code psyberg.} prefix of {@code flinkDefaults} is used (e.g. {@code
   * psyberg.catalog.warehouse} stands for {@code warehouse}).
   *
   * @param context names the process or table the options belong to, for error messages
   */
  public static CatalogSpec fromOptions(
      Map<String, String> options, ReadableConfig flinkDefaults, String context) {
    Map<String, String> all =
        flinkDefaults instanceof org.apache.flink.configuration.Configuration
            ? ((org.apache.flink.configuration.Configuration) flinkDefaults).toMap()
            : Map.of();
    return fromOptions(options, all, context);
  }

  /**
   * As {@link #fromOptions(Map, ReadableConfig, String)}, with the Flink configuration given as a
   * map.
   */
  public static CatalogSpec fromOptions(
      Map<String, String> options, Map<String, String> flinkDefaults, String context) {
    Map<String, String> merged = new LinkedHashMap<>();
    if (flinkDefaults != null) {
      Map<String, String> all = flinkDefaults;
      String prefix = PsybergCatalogOptions.FLINK_CONFIG_DEFAULTS_PREFIX + "catalog.";
      all.forEach(
          (k, v) -> {
            if (k.startsWith(prefix)) {
              String key = k.substring(prefix.length());
              // psyberg.catalog.type / psyberg.catalog.impl / psyberg.catalog.name map to
              // catalog-*;
              // psyberg.catalog.warehouse and .uri to the plain keys; anything else passes through.
              switch (key) {
                case "type":
                case "impl":
                case "name":
                  merged.put("catalog-" + key, v);
                  break;
                case "warehouse":
                case "uri":
                case "metadata-namespace":
                  merged.put(key, v);
                  break;
                default:
                  merged.put(PsybergCatalogOptions.CATALOG_PROPERTY_PREFIX + key, v);
              }
            }
          });
    }
    merged.putAll(options);

    String impl = merged.get(PsybergCatalogOptions.CATALOG_IMPL.key());
    String type = catalogType(merged.get(PsybergCatalogOptions.CATALOG_TYPE.key()), impl, context);
    String warehouse = merged.get(PsybergCatalogOptions.WAREHOUSE.key());
    String uri = merged.get(PsybergCatalogOptions.URI.key());
    if (impl == null) {
      if (("hadoop".equals(type) || "jdbc".equals(type)) && warehouse == null) {
        throw new IllegalArgumentException(
            String.format(
                "%s: option 'warehouse' is required for catalog-type '%s' (e.g. 'warehouse' ="
                    + " 'file:///tmp/psyberg-warehouse'), or set 'psyberg.catalog.warehouse' in the"
                    + " Flink configuration.",
                context, type));
      }
      if (("jdbc".equals(type) || "rest".equals(type)) && uri == null) {
        throw new IllegalArgumentException(
            String.format("%s: option 'uri' is required for catalog-type '%s'.", context, type));
      }
    }
    Map<String, String> props = new LinkedHashMap<>();
    merged.forEach(
        (k, v) -> {
          if (k.startsWith(PsybergCatalogOptions.CATALOG_PROPERTY_PREFIX)) {
            props.put(k.substring(PsybergCatalogOptions.CATALOG_PROPERTY_PREFIX.length()), v);
          }
        });
    return new CatalogSpec(
        merged.getOrDefault(
            PsybergCatalogOptions.CATALOG_NAME.key(),
            PsybergCatalogOptions.CATALOG_NAME.defaultValue()),
        impl == null ? type : null,
        impl,
        "hadoop".equals(type) && impl == null ? normalizeWarehouse(warehouse) : warehouse,
        uri,
        props,
        merged.getOrDefault(
            PsybergCatalogOptions.METADATA_NAMESPACE.key(),
            PsybergCatalogOptions.METADATA_NAMESPACE.defaultValue()));
  }

  /**
   * The catalog that the catalog options among {@code options} describe, if there are any; for
   * builders given their options by key. Other keys are ignored.
   */
  @Internal
  public static Optional<CatalogSpec> fromOptionsIfGiven(
      Map<String, String> options, String context) {
    Set<String> keys = new HashSet<>();
    OptionReader.declaredIn(PsybergCatalogOptions.class).forEach(o -> keys.add(o.key()));
    Map<String, String> catalogOptions = new LinkedHashMap<>();
    options.forEach(
        (k, v) -> {
          if (keys.contains(k) || k.startsWith(PsybergCatalogOptions.CATALOG_PROPERTY_PREFIX)) {
            catalogOptions.put(k, v);
          }
        });
    return catalogOptions.isEmpty()
        ? Optional.empty()
        : Optional.of(fromOptions(catalogOptions, Map.<String, String>of(), context));
  }

  /** The catalog type's value; any value goes when a catalog class is given instead. */
  private static String catalogType(String value, String impl, String context) {
    if (value == null) {
      return PsybergCatalogOptions.CATALOG_TYPE.defaultValue().toString();
    }
    if (impl != null) {
      return value.toLowerCase(Locale.ROOT);
    }
    for (CatalogType t : CatalogType.values()) {
      if (t.toString().equalsIgnoreCase(value)) {
        return t.toString();
      }
    }
    throw OptionReader.invalidValue(
        context,
        PsybergCatalogOptions.CATALOG_TYPE.key(),
        value,
        "Valid values: "
            + OptionReader.validValues(CatalogType.class)
            + "; or set 'catalog-impl' to a catalog class");
  }

  /** Turns a plain local path into an absolute {@code file:} URI; leaves URIs as they are. */
  static String normalizeWarehouse(String warehouse) {
    String w = warehouse == null ? DEFAULT_WAREHOUSE : warehouse;
    if (w.contains("://") || w.startsWith("file:")) {
      return w;
    }
    return new File(w).getAbsoluteFile().toPath().normalize().toUri().toString();
  }

  /** A loader that opens this catalog on any JVM of the job. */
  public CatalogLoader loader() {
    Map<String, String> props = new LinkedHashMap<>(properties);
    if (warehouse != null) {
      props.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
    }
    if (uri != null) {
      props.put(CatalogProperties.URI, uri);
      if (isJdbc()) {
        // Iceberg's JDBC catalog logs its URI and drivers quote it in errors: a password given in
        // the URI
        // goes to the driver as the standard 'password' connection property instead.
        Matcher m = URI_PASSWORD.matcher(uri);
        if (m.find()) {
          props.putIfAbsent("jdbc.password", URLDecoder.decode(m.group(2), StandardCharsets.UTF_8));
          props.put(
              CatalogProperties.URI, m.replaceFirst(m.group().endsWith("&") ? m.group(1) : ""));
        }
      }
    }
    if (isHadoop()) {
      props.putIfAbsent(
          SharedInMemoryLockManager.LOCK_IMPL, SharedInMemoryLockManager.class.getName());
    }
    Configuration hadoopConf = hadoopConfiguration();
    if (catalogImpl != null) {
      return CatalogLoader.custom(name, props, hadoopConf, catalogImpl);
    }
    switch (type) {
      case "hadoop":
        return CatalogLoader.hadoop(name, hadoopConf, props);
      case "jdbc":
        return CatalogLoader.custom(name, props, hadoopConf, JDBC_CATALOG_IMPL);
      case "rest":
        return CatalogLoader.rest(name, hadoopConf, props);
      case "hive":
        return CatalogLoader.hive(name, hadoopConf, props);
      default:
        throw new IllegalStateException("Unknown catalog type " + type);
    }
  }

  /**
   * A Hadoop configuration with the default resources, copied from one parsed once per class
   * loader: a new {@code Configuration} parses Hadoop's XML files on first use, and a run opens
   * catalogs in many places (CLI, planner, readers, committers). Resources added later reach the
   * parsed one too (Hadoop reloads every live configuration), and the copy loads classes as a new
   * one would, through the calling thread's class loader.
   */
  private static Configuration hadoopConfiguration() {
    Configuration conf = new Configuration(HadoopDefaults.PARSED);
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null) {
      conf.setClassLoader(context);
    }
    return conf;
  }

  private static final class HadoopDefaults {
    static final Configuration PARSED = parsed();

    private static Configuration parsed() {
      Configuration conf = new Configuration();
      conf.size();
      return conf;
    }
  }

  /**
   * Opens the catalog. Callers close it when it is {@link AutoCloseable}.
   *
   * @throws PsybergException naming the catalog (never a property value) when it cannot be opened
   */
  public Catalog open() {
    try {
      Catalog catalog = loader().loadCatalog();
      ReadOnlyTables.opened(catalog, this);
      return catalog;
    } catch (RuntimeException e) {
      throw new PsybergException(
          String.format(
              "Could not open Iceberg catalog '%s' (%s%s%s): %s. Check options 'catalog-type' or"
                  + " 'catalog-impl', 'uri', 'warehouse' and 'catalog.*', and that the catalog's"
                  + " classes and drivers are on the job's classpath.",
              name,
              catalogImpl != null ? "catalog-impl " + catalogImpl : "catalog-type " + type,
              uri == null ? "" : ", uri " + redactedUri(),
              warehouse == null ? "" : ", warehouse " + warehouse,
              redact(e.getMessage())),
          e);
    }
  }

  /**
   * Closes a catalog {@link #open() opened} by its user, where the catalog holds resources (a JDBC
   * catalog pools database connections); does nothing for {@code null} or a catalog that is not
   * {@link AutoCloseable}.
   */
  public static void close(@Nullable Catalog catalog) throws IOException {
    if (!(catalog instanceof AutoCloseable)) {
      return;
    }
    try {
      ((AutoCloseable) catalog).close();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("Could not close Iceberg catalog " + catalog.name(), e);
    }
  }

  /**
   * Closes a catalog opened for a short look (client-side checks); a failure to close is ignored.
   */
  public static void closeQuietly(@Nullable Catalog catalog) {
    try {
      close(catalog);
    } catch (IOException | RuntimeException ignored) {
      // closing a catalog client is best effort
    }
  }

  /**
   * A Hadoop catalog locks commits with an in-memory lock manager that every catalog of the JVM
   * shares; psyberg's keeps it open when one catalog closes (see {@link
   * SharedInMemoryLockManager}).
   */
  private boolean isHadoop() {
    return catalogImpl == null
        ? "hadoop".equals(type)
        : "org.apache.iceberg.hadoop.HadoopCatalog".equals(catalogImpl);
  }

  /**
   * Whether refreshing a loaded table of this catalog re-reads its metadata file only when it
   * changed (Hadoop: a newer metadata file; JDBC: the table's metadata pointer), which {@link
   * ReadOnlyTables} relies on. A REST catalog answers every refresh with the whole metadata.
   */
  boolean refreshesCheaply() {
    return isHadoop() || isJdbc();
  }

  private boolean isJdbc() {
    return catalogImpl == null ? "jdbc".equals(type) : JDBC_CATALOG_IMPL.equals(catalogImpl);
  }

  /** The URI with any password in it (query parameter or user info) masked. */
  String redactedUri() {
    return redact(uri);
  }

  private String redact(String text) {
    if (text == null) {
      return null;
    }
    String out =
        text.replaceAll("(?i)(password=)[^&;]*", "$1***")
            .replaceAll("(://[^/:@]+:)[^/@]+@", "$1***@");
    for (Map.Entry<String, String> e : properties.entrySet()) {
      if (e.getValue() != null
          && e.getValue().length() >= 4
          && SECRET_KEY.matcher(e.getKey()).find()) {
        out = out.replace(e.getValue(), "***");
      }
    }
    return out;
  }

  public String name() {
    return name;
  }

  public String warehouse() {
    return warehouse;
  }

  public String metadataNamespace() {
    return metadataNamespace;
  }

  /**
   * Where the catalog is, for messages: the warehouse of a Hadoop catalog, else the catalog's type
   * (or class) with its URI and warehouse. A password in the URI is masked.
   */
  public String location() {
    if (isHadoop() && uri == null) {
      return "warehouse " + warehouse;
    }
    return (catalogImpl != null ? catalogImpl : type)
        + " catalog"
        + (uri == null ? "" : " at " + redactedUri())
        + (warehouse == null ? "" : ", warehouse " + warehouse);
  }

  /** Options that describe this catalog to an Iceberg Flink catalog ({@code 'type'='iceberg'}). */
  public Map<String, String> toFlinkCatalogOptions() {
    Map<String, String> out = new LinkedHashMap<>(properties);
    out.put("type", "iceberg");
    if (catalogImpl != null) {
      out.put("catalog-impl", catalogImpl);
    } else if ("jdbc".equals(type)) {
      out.put("catalog-impl", JDBC_CATALOG_IMPL);
    } else {
      out.put("catalog-type", type);
    }
    if (isHadoop()) {
      out.putIfAbsent(
          SharedInMemoryLockManager.LOCK_IMPL, SharedInMemoryLockManager.class.getName());
    }
    if (warehouse != null) {
      out.put("warehouse", warehouse);
    }
    if (uri != null) {
      out.put("uri", uri);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CatalogSpec)) {
      return false;
    }
    CatalogSpec that = (CatalogSpec) o;
    return Objects.equals(name, that.name)
        && Objects.equals(type, that.type)
        && Objects.equals(catalogImpl, that.catalogImpl)
        && Objects.equals(warehouse, that.warehouse)
        && Objects.equals(uri, that.uri)
        && properties.equals(that.properties)
        && metadataNamespace.equals(that.metadataNamespace);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, catalogImpl, warehouse, uri, properties, metadataNamespace);
  }

  @Override
  public String toString() {
    // Property values may be credentials: only their keys are shown.
    return String.format(
        "CatalogSpec{name=%s, %s, warehouse=%s, properties=%s}",
        name,
        catalogImpl != null ? "impl=" + catalogImpl : "type=" + type,
        warehouse,
        properties.keySet());
  }
}
