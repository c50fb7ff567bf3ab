package io.psyberg.flink.testutils;

import io.psyberg.flink.catalog.CatalogSpec;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The catalogs the reliability tests run on: the embedded Hadoop catalog over a temp folder, and
 * Iceberg's JDBC catalog on a real PostgreSQL server. Each {@link #create} gives a catalog no other
 * test shares (a fresh folder; for JDBC also a fresh catalog name, which Iceberg's JDBC catalog
 * keys all its rows by).
 *
 * <p>The PostgreSQL server is found from {@code PSYBERG_TEST_JDBC_URL}, {@code
 * PSYBERG_TEST_JDBC_USER} and {@code PSYBERG_TEST_JDBC_PASSWORD} (defaults: {@code
 * jdbc:postgresql://127.0.0.1:5432/psyberg_test}, {@code psyberg}, {@code psyberg}; {@code
 * .ci/postgres.sh} sets them up). Without a server the JDBC cases skip, unless {@code
 * PSYBERG_REQUIRE_POSTGRES=1}, where they fail.
 */
public enum TestCatalog {
  HADOOP("hadoop"),
  JDBC_POSTGRES("jdbc-postgres");

  public static final String DEFAULT_JDBC_URL = "jdbc:postgresql://127.0.0.1:5432/psyberg_test";

  private final String label;

  TestCatalog(String label) {
    this.label = label;
  }

  @Override
  public String toString() {
    return label;
  }

  /**
   * A fresh catalog with its warehouse under {@code dir}; skips (or fails) a JDBC case without a
   * server.
   */
  public CatalogSpec create(Path dir) {
    if (this == HADOOP) {
      return CatalogSpec.embedded(dir.toString());
    }
    Postgres.requireServer();
    Map<String, String> options = new LinkedHashMap<>();
    options.put("catalog-type", "jdbc");
    options.put("uri", Postgres.url());
    options.put("warehouse", dir.toUri().toString());
    String name = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    options.put("catalog-name", name);
    // Tags this catalog's connections, so a test counts its own while others use the server.
    options.put("catalog.jdbc.ApplicationName", name);
    options.put("catalog.jdbc.user", Postgres.user());
    options.put("catalog.jdbc.password", Postgres.password());
    return CatalogSpec.fromOptions(options, Map.of(), "test catalog " + label);
  }

  /**
   * Removes what a JDBC catalog left in the shared database (its rows); nothing to do for Hadoop.
   */
  public void dropRows(CatalogSpec spec) {
    if (this != JDBC_POSTGRES) {
      return;
    }
    try (Connection c = Postgres.connect()) {
      for (String table : new String[] {"iceberg_tables", "iceberg_namespace_properties"}) {
        try (PreparedStatement st =
            c.prepareStatement("DELETE FROM " + table + " WHERE catalog_name = ?")) {
          st.setString(1, spec.name());
          st.executeUpdate();
        } catch (SQLException missing) {
          // the catalog never created that table
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Could not clean up catalog " + spec.name() + ": " + e.getMessage(), e);
    }
  }

  /** Where the test PostgreSQL server is, and whether it answers. */
  public static final class Postgres {
    private static Boolean reachable;
    private static String lastError;

    private Postgres() {}

    public static String url() {
      return env("PSYBERG_TEST_JDBC_URL", DEFAULT_JDBC_URL);
    }

    public static String user() {
      return env("PSYBERG_TEST_JDBC_USER", "psyberg");
    }

    public static String password() {
      return env("PSYBERG_TEST_JDBC_PASSWORD", "psyberg");
    }

    public static boolean required() {
      return "1".equals(System.getenv("PSYBERG_REQUIRE_POSTGRES"));
    }

    public static Connection connect() throws SQLException {
      DriverManager.setLoginTimeout(5);
      return DriverManager.getConnection(url(), user(), password());
    }

    /**
     * Connections the clients of a catalog from {@link #create} have open on the server now
     * (catalog clients that were not closed stay); other tests' connections do not count.
     */
    public static int openConnections(CatalogSpec spec) {
      try (Connection c = connect();
          PreparedStatement st =
              c.prepareStatement(
                  "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
        st.setString(1, spec.name());
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      } catch (SQLException e) {
        throw new IllegalStateException("Could not count connections: " + e.getMessage(), e);
      }
    }

    /** Skips the calling test without a server, or fails it when PSYBERG_REQUIRE_POSTGRES=1. */
    public static synchronized void requireServer() {
      if (reachable == null) {
        try (Connection c = connect()) {
          reachable = c.isValid(5);
        } catch (SQLException e) {
          reachable = false;
          lastError = e.getMessage();
        }
      }
      if (reachable) {
        return;
      }
      String message =
          String.format(
              "PostgreSQL not available on %s (%s: %s); set PSYBERG_TEST_JDBC_URL (and _USER,"
                  + " _PASSWORD) or run .ci/run, which installs it (bash .ci/postgres.sh alone"
                  + " installs and starts it).",
              url().replaceFirst("^jdbc:postgresql://([^/?]*).*$", "$1"), url(), lastError);
      if (required()) {
        throw new AssertionError(
            message + " PSYBERG_REQUIRE_POSTGRES=1, so this fails instead of skipping.");
      }
      Assumptions.abort(message);
    }

    private static String env(String key, String fallback) {
      String v = System.getenv(key);
      return v == null || v.isBlank() ? fallback : v;
    }
  }
}
