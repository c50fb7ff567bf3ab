package io.psyberg.flink.examples.cli;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.catalog.CatalogType;
import io.psyberg.flink.catalog.PsybergCatalogOptions;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The catalog options every command takes, as one picocli mixin: every command opens its catalog
 * here, so a catalog option added to the CLI reaches all of them. The options mean what the SQL
 * connector's catalog options mean: {@code --catalog-type} is {@code 'catalog-type'}, {@code
 * --catalog-option k=v} is {@code 'catalog.k' = 'v'}, and a {@code --catalog-conf} file holds those
 * SQL keys. Values of catalog properties are never printed: they may be credentials.
 */
public final class CatalogOptions {
  static final String TYPE = "catalog-type";
  static final String URI = "uri";
  static final String WAREHOUSE = "warehouse";
  static final String OPTION = "catalog-option";
  static final String CONF = "catalog-conf";

  @ArgGroup(
      validate = false,
      order = 100,
      heading =
          "%nCatalog options (every command; without them, the embedded catalog over"
              + " --warehouse):%n")
  private Given given = new Given();

  /** The options as given; picocli fills a new one when any is on the command line. */
  static final class Given {
    @Option(
        names = "--" + TYPE,
        paramLabel = "hadoop|jdbc|rest|hive",
        order = 1,
        description = "Iceberg catalog type, as SQL's 'catalog-type' (default: hadoop)")
    @Nullable
    CatalogType type;

    @Option(
        names = "--" + URI,
        paramLabel = "URI",
        order = 2,
        description =
            "catalog URI: a JDBC URL (jdbc), a REST endpoint (rest) or a metastore URI (hive)")
    @Nullable
    String uri;

    @Option(
        names = "--" + WAREHOUSE,
        paramLabel = "DIR|URI",
        order = 3,
        description =
            "warehouse location; for hadoop a folder (default: "
                + CatalogSpec.DEFAULT_WAREHOUSE
                + ")")
    @Nullable
    String warehouse;

    @Option(
        names = "--" + OPTION,
        paramLabel = "KEY=VALUE",
        order = 4,
        description =
            "a catalog property, as SQL's 'catalog.KEY', e.g. s3.endpoint=http://127.0.0.1:9000"
                + " (repeatable)")
    List<String> properties = new ArrayList<>();

    @Option(
        names = "--" + CONF,
        paramLabel = "FILE",
        order = 5,
        description =
            "a properties file of catalog options under their SQL names (catalog-type, uri,"
                + " warehouse, catalog.KEY ...); options on the command line win")
    @Nullable
    String conf;
  }

  /** Keys of catalog properties whose values are never shown. */
  private static final Pattern SECRET =
      Pattern.compile("password|secret|token|credential|key", Pattern.CASE_INSENSITIVE);

  private static final Set<String> SQL_KEYS =
      Set.of(
          PsybergCatalogOptions.CATALOG_TYPE.key(),
          PsybergCatalogOptions.CATALOG_IMPL.key(),
          PsybergCatalogOptions.CATALOG_NAME.key(),
          PsybergCatalogOptions.WAREHOUSE.key(),
          PsybergCatalogOptions.URI.key(),
          PsybergCatalogOptions.METADATA_NAMESPACE.key());

  /** The catalog named by the options. */
  public CatalogSpec spec() throws UsageException {
    try {
      return CatalogSpec.fromOptions(options(), Map.<String, String>of(), "catalog options");
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /**
   * The catalog options under their SQL connector keys ({@code catalog-type}, {@code uri}, {@code
   * warehouse}, {@code catalog.<property>}, ...): the {@code --catalog-conf} file, overridden by
   * the options given on the command line, with the embedded default's warehouse filled in.
   */
  public Map<String, String> options() throws UsageException {
    Map<String, String> options = new LinkedHashMap<>();
    if (given.conf != null) {
      options.putAll(readConf(Path.of(given.conf)));
    }
    if (given.type != null) {
      options.put(TYPE, given.type.toString());
    }
    if (given.uri != null) {
      options.put(URI, given.uri);
    }
    if (given.warehouse != null) {
      options.put(WAREHOUSE, given.warehouse);
    }
    for (String property : given.properties) {
      int eq = property.indexOf('=');
      if (eq <= 0) {
        throw new UsageException(
            "option '--"
                + OPTION
                + "' must be KEY=VALUE, e.g. s3.endpoint=http://127.0.0.1:9000; got "
                + shown(property));
      }
      options.put(
          PsybergCatalogOptions.CATALOG_PROPERTY_PREFIX + property.substring(0, eq).trim(),
          property.substring(eq + 1));
    }
    String type = options.getOrDefault(TYPE, CatalogType.HADOOP.toString());
    boolean byType = !options.containsKey(PsybergCatalogOptions.CATALOG_IMPL.key());
    if (byType && type.equals(CatalogType.HADOOP.toString())) {
      options.putIfAbsent(WAREHOUSE, CatalogSpec.DEFAULT_WAREHOUSE);
    }
    if (byType && !options.containsKey(URI) && (isType(type, CatalogType.JDBC, CatalogType.REST))) {
      throw new UsageException(
          "option '--uri' is required with --catalog-type "
              + type
              + (type.equals(CatalogType.REST.toString())
                  ? " (the REST endpoint, e.g. --uri http://127.0.0.1:8181)"
                  : " (a JDBC URL, e.g. --uri jdbc:postgresql://127.0.0.1:5432/iceberg)"));
    }
    if (byType && !options.containsKey(WAREHOUSE) && type.equals(CatalogType.JDBC.toString())) {
      throw new UsageException(
          "option '--warehouse' is required with --catalog-type jdbc (where table files go, e.g."
              + " --warehouse file:///tmp/warehouse or s3://bucket/warehouse)");
    }
    return options;
  }

  /**
   * Where the catalog is, for messages: the warehouse as given for the embedded catalog, else the
   * catalog's type and URI (a password in it masked).
   */
  public String location(CatalogSpec spec) throws UsageException {
    Map<String, String> options = options();
    return isEmbedded(options) ? "warehouse " + options.get(WAREHOUSE) : spec.location();
  }

  /** The catalog options to repeat in a command line suggested to the user. */
  public String hint() throws UsageException {
    Map<String, String> options = options();
    return isEmbedded(options)
        ? "--" + WAREHOUSE + " " + options.get(WAREHOUSE)
        : "with the same catalog options";
  }

  /**
   * The folder of the embedded catalog, for a command that works on a local folder only.
   *
   * @throws UsageException naming {@code command} when other catalog options are given
   */
  public String embeddedWarehouse(String command) throws UsageException {
    Map<String, String> options = options();
    if (!isEmbedded(options) || !given.properties.isEmpty() || given.conf != null) {
      throw new UsageException(
          command
              + " runs on the embedded catalog only (a local warehouse folder): give just"
              + " --warehouse DIR, without --catalog-type, --uri, --catalog-option or"
              + " --catalog-conf");
    }
    return options.get(WAREHOUSE);
  }

  private static boolean isEmbedded(Map<String, String> options) {
    return options.getOrDefault(TYPE, CatalogType.HADOOP.toString()).equals("hadoop")
        && !options.containsKey(PsybergCatalogOptions.CATALOG_IMPL.key())
        && !options.containsKey(URI);
  }

  private static boolean isType(String type, CatalogType... types) {
    return Arrays.stream(types).anyMatch(t -> t.toString().equals(type));
  }

  private static String catalogType(String value, String where) throws UsageException {
    for (CatalogType t : CatalogType.values()) {
      if (t.toString().equalsIgnoreCase(value.trim())) {
        return t.toString();
      }
    }
    throw new UsageException(
        "invalid value '"
            + value
            + "' for "
            + where
            + ". Valid values: "
            + Arrays.stream(CatalogType.values())
                .map(CatalogType::toString)
                .collect(Collectors.joining(", ")));
  }

  /** Reads a {@code --catalog-conf} file: SQL catalog option keys only. */
  private static Map<String, String> readConf(Path file) throws UsageException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (NoSuchFileException e) {
      throw new UsageException("option '--" + CONF + "': file " + file + " does not exist");
    } catch (IOException | IllegalArgumentException e) {
      throw new UsageException(
          "option '--" + CONF + "': cannot read " + file + " as a properties file: " + e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : new TreeSet<>(properties.stringPropertyNames())) {
      String value = properties.getProperty(key).trim();
      if (key.equals(TYPE)) {
        value = catalogType(value, "'" + TYPE + "' in " + file);
      } else if (!SQL_KEYS.contains(key)
          && !key.startsWith(PsybergCatalogOptions.CATALOG_PROPERTY_PREFIX)) {
        throw new UsageException(
            "unknown key '"
                + key
                + "' in "
                + file
                + " (option '--"
                + CONF
                + "'). Valid keys: "
                + String.join(", ", new TreeSet<>(SQL_KEYS))
                + ", and catalog.PROPERTY for an Iceberg catalog property (e.g. catalog."
                + key.toLowerCase(Locale.ROOT)
                + ")");
      }
      out.put(key, value);
    }
    return out;
  }

  /** An argument quoted for an error message, unless it may hold a secret. */
  static String shown(String argument) {
    return SECRET.matcher(argument).find()
        ? "an argument that names a secret (not shown)"
        : "'" + argument + "'";
  }
}
