package io.psyberg.flink.examples.sql;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.catalog.PsybergCatalogOptions;
import java.net.URL;
import java.time.ZoneId;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableConfig;
import org.apache.flink.table.api.bridge.internal.AbstractStreamTableEnvironmentImpl;
import org.apache.flink.table.api.bridge.java.internal.StreamTableEnvironmentImpl;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.catalog.CatalogManager;
import org.apache.flink.table.catalog.CatalogStore;
import org.apache.flink.table.catalog.CatalogStoreHolder;
import org.apache.flink.table.catalog.FunctionCatalog;
import org.apache.flink.table.catalog.GenericInMemoryCatalog;
import org.apache.flink.table.delegation.Executor;
import org.apache.flink.table.delegation.Planner;
import org.apache.flink.table.factories.CatalogStoreFactory;
import org.apache.flink.table.factories.PlannerFactoryUtil;
import org.apache.flink.table.factories.TableFactoryUtil;
import org.apache.flink.table.module.ModuleManager;
import org.apache.flink.table.resource.ResourceManager;
import org.apache.flink.util.FlinkUserCodeClassLoaders;
import org.apache.flink.util.MutableURLClassLoader;

/**
 * A SQL session as Flink's SQL client keeps one: a session configuration that {@code SET} changes,
 * and catalogs, tables, functions and the current catalog/database that live for the whole session.
 *
 * <p>A {@code TableEnvironment} cannot change its runtime mode once created, so, like the SQL
 * gateway, the session builds a new environment from the session configuration after every
 * configuration change. All environments share one {@link CatalogManager}, {@link FunctionCatalog}
 * and {@link ModuleManager}: temporary tables, the {@code lake} catalog and {@code USE} survive a
 * rebuild. Jobs run on one {@link LocalCluster}.
 */
public final class SqlSession implements AutoCloseable {

  /** Name of the Iceberg catalog over the warehouse. */
  static final String LAKE_CATALOG = "lake";

  /** Keys under which the psyberg connector finds its catalog defaults. */
  static final String PSYBERG_CATALOG_PREFIX = "psyberg.catalog.";

  static final String PSYBERG_CATALOG_TYPE = "psyberg.catalog.type";

  private static final int CATALOG_PROPERTY_PREFIX_LENGTH =
      PsybergCatalogOptions.CATALOG_PROPERTY_PREFIX.length();

  static final String PSYBERG_CATALOG_WAREHOUSE = "psyberg.catalog.warehouse";

  private final Configuration defaults;
  private final Configuration sessionConfig;
  private final LocalCluster cluster;
  private final boolean ownsCluster;
  private final MutableURLClassLoader userClassLoader;
  private final ResourceManager resourceManager;
  private final ModuleManager moduleManager;
  private final CatalogManager catalogManager;
  private final FunctionCatalog functionCatalog;
  private TableEnvironmentInternal env;

  private SqlSession(Configuration defaults, LocalCluster cluster, boolean ownsCluster) {
    this.defaults = new Configuration(defaults);
    this.sessionConfig = new Configuration(defaults);
    this.cluster = cluster;
    this.ownsCluster = ownsCluster;
    this.userClassLoader =
        FlinkUserCodeClassLoaders.create(
            new URL[0], SqlSession.class.getClassLoader(), sessionConfig);
    this.resourceManager = new ResourceManager(sessionConfig, userClassLoader);
    this.moduleManager = new ModuleManager();
    this.catalogManager = createCatalogManager();
    this.functionCatalog =
        new FunctionCatalog(sessionConfig, resourceManager, catalogManager, moduleManager);
  }

  /**
   * A session with the {@code lake} catalog over {@code catalog}, whose options (SQL connector
   * keys, see {@code CatalogOptions#options}) also become the psyberg connector's catalog defaults.
   */
  static SqlSession open(CatalogSpec catalog, Map<String, String> catalogOptions) {
    Configuration defaults = catalogDefaults(catalog, catalogOptions);
    return open(catalog, defaults, new LocalCluster(defaults), true);
  }

  /**
   * A fresh session (no temporary objects, no {@code SET} of an earlier one) whose jobs run on
   * {@code cluster}, which the caller closes; {@code settings} are added to the session's defaults.
   */
  public static SqlSession open(
      CatalogSpec catalog,
      Map<String, String> catalogOptions,
      Map<String, String> settings,
      LocalCluster cluster) {
    Configuration defaults = catalogDefaults(catalog, catalogOptions);
    settings.forEach(defaults::setString);
    return open(catalog, defaults, cluster, false);
  }

  private static SqlSession open(
      CatalogSpec catalog, Configuration defaults, LocalCluster cluster, boolean ownsCluster) {
    SqlSession session = new SqlSession(defaults, cluster, ownsCluster);
    try {
      session.env().executeSql(createCatalogStatement(catalog));
    } catch (RuntimeException e) {
      session.closeQuietly();
      throw e;
    }
    return session;
  }

  /**
   * The {@code psyberg.catalog.*} defaults for the catalog options: a psyberg table in a script may
   * then name just 'table' and 'process-name'.
   */
  static Configuration catalogDefaults(CatalogSpec catalog, Map<String, String> catalogOptions) {
    Configuration defaults = new Configuration();
    String prefix = PSYBERG_CATALOG_PREFIX;
    catalogOptions.forEach(
        (key, value) -> {
          if (key.startsWith(PsybergCatalogOptions.CATALOG_PROPERTY_PREFIX)) {
            defaults.setString(prefix + key.substring(CATALOG_PROPERTY_PREFIX_LENGTH), value);
          } else if (key.startsWith("catalog-")) {
            defaults.setString(prefix + key.substring("catalog-".length()), value);
          } else {
            defaults.setString(prefix + key, value);
          }
        });
    if (catalog.warehouse() != null) {
      // the embedded catalog's folder, as an absolute URI: the same folder for every job
      defaults.setString(PSYBERG_CATALOG_WAREHOUSE, catalog.warehouse());
    }
    defaults.setString(PSYBERG_CATALOG_TYPE, catalogOptions.getOrDefault("catalog-type", "hadoop"));
    return defaults;
  }

  static String createCatalogStatement(CatalogSpec catalog) {
    StringBuilder sb = new StringBuilder("CREATE CATALOG " + LAKE_CATALOG + " WITH (");
    String sep = "";
    for (Map.Entry<String, String> e : catalog.toFlinkCatalogOptions().entrySet()) {
      sb.append(sep).append(quote(e.getKey())).append(" = ").append(quote(e.getValue()));
      sep = ", ";
    }
    return sb.append(')').toString();
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private CatalogManager createCatalogManager() {
    EnvironmentSettings settings =
        EnvironmentSettings.newInstance().withConfiguration(sessionConfig).build();
    CatalogStoreFactory storeFactory =
        TableFactoryUtil.findAndCreateCatalogStoreFactory(sessionConfig, userClassLoader);
    storeFactory.open(
        TableFactoryUtil.buildCatalogStoreFactoryContext(sessionConfig, userClassLoader));
    CatalogStore store = storeFactory.createCatalogStore();
    ExecutionConfig executionConfig = new ExecutionConfig();
    executionConfig.configure(sessionConfig, userClassLoader);
    return CatalogManager.newBuilder()
        .classLoader(userClassLoader)
        .config(sessionConfig)
        .defaultCatalog(
            settings.getBuiltInCatalogName(),
            new GenericInMemoryCatalog(
                settings.getBuiltInCatalogName(), settings.getBuiltInDatabaseName()))
        .executionConfig(executionConfig)
        .catalogModificationListeners(
            TableFactoryUtil.findCatalogModificationListenerList(sessionConfig, userClassLoader))
        .catalogStoreHolder(
            CatalogStoreHolder.newBuilder()
                .classloader(userClassLoader)
                .config(sessionConfig)
                .catalogStore(store)
                .factory(storeFactory)
                .build())
        .build();
  }

  /** The environment for the next statement, built from the current session configuration. */
  public TableEnvironmentInternal env() {
    if (env == null) {
      env = buildEnvironment();
    }
    return env;
  }

  private TableEnvironmentInternal buildEnvironment() {
    Configuration envConfig = new Configuration(sessionConfig);
    envConfig.set(DeploymentOptions.TARGET, LocalCluster.TARGET);
    if (!envConfig.contains(CoreOptions.DEFAULT_PARALLELISM)) {
      // Like the SQL client on a cluster: one task per operator unless the script asks for more.
      envConfig.set(CoreOptions.DEFAULT_PARALLELISM, 1);
    }
    StreamExecutionEnvironment streamEnv =
        new StreamExecutionEnvironment(cluster, envConfig, userClassLoader);
    EnvironmentSettings settings =
        EnvironmentSettings.newInstance().withConfiguration(sessionConfig).build();
    Executor executor =
        AbstractStreamTableEnvironmentImpl.lookupExecutor(userClassLoader, streamEnv);
    TableConfig tableConfig = TableConfig.getDefault();
    tableConfig.setRootConfiguration(executor.getConfiguration());
    tableConfig.addConfiguration(sessionConfig);
    Planner planner =
        PlannerFactoryUtil.createPlanner(
            executor, tableConfig, userClassLoader, moduleManager, catalogManager, functionCatalog);
    return new StreamTableEnvironmentImpl(
        catalogManager,
        moduleManager,
        resourceManager,
        functionCatalog,
        tableConfig,
        streamEnv,
        planner,
        executor,
        settings.isStreamingMode());
  }

  /**
   * Sets a session option; the next statement runs in an environment built with it. An option that
   * makes the environment fail to build (e.g. an unknown runtime mode) is rejected and not kept.
   */
  void set(String key, String value) {
    String previous = sessionConfig.toMap().get(key);
    sessionConfig.setString(key, value);
    rebuildOrRestore(key, previous);
  }

  /** Resets one option to its session default, or all options when {@code key} is null. */
  void reset(String key) {
    if (key == null) {
      for (String k : sessionConfig.keySet()) {
        sessionConfig.removeKey(k);
      }
      sessionConfig.addAll(defaults);
      env = buildEnvironment();
      return;
    }
    String previous = sessionConfig.toMap().get(key);
    sessionConfig.removeKey(key);
    String original = defaults.toMap().get(key);
    if (original != null) {
      sessionConfig.setString(key, original);
    }
    rebuildOrRestore(key, previous);
  }

  private void rebuildOrRestore(String key, String previous) {
    try {
      env = buildEnvironment();
    } catch (RuntimeException e) {
      if (previous == null) {
        sessionConfig.removeKey(key);
      } else {
        sessionConfig.setString(key, previous);
      }
      throw e;
    }
  }

  /** The session options, sorted by key. */
  Map<String, String> configuration() {
    return new TreeMap<>(sessionConfig.toMap());
  }

  /** The session's time zone, for printing {@code TIMESTAMP_LTZ} values. */
  ZoneId localTimeZone() {
    return env().getConfig().getLocalTimeZone();
  }

  private void closeQuietly() {
    try {
      close();
    } catch (Exception ignored) {
      // already failing
    }
  }

  @Override
  public void close() throws Exception {
    try {
      catalogManager.close();
    } finally {
      try {
        resourceManager.close();
      } finally {
        if (ownsCluster) {
          cluster.close();
        }
      }
    }
  }
}
