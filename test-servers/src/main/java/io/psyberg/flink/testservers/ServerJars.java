package io.psyberg.flink.testservers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the servers' jars are: copied by this module's 'package' phase (see {@code
 * servers.properties}), or given by the system properties {@code psyberg.test-servers.rest-lib} and
 * {@code psyberg.test-servers.s3mock-jar}.
 */
final class ServerJars {
  private static final Properties BUILT = load();

  private ServerJars() {}

  /** The folder of jars that make the REST catalog server's classpath. */
  static Path restCatalogServerLib() {
    return existing("psyberg.test-servers.rest-lib", "rest-catalog-server.lib");
  }

  /** The S3Mock runnable jar. */
  static Path s3MockJar() {
    return existing("psyberg.test-servers.s3mock-jar", "s3mock.jar");
  }

  private static Path existing(String systemProperty, String key) {
    Path path = Path.of(System.getProperty(systemProperty, BUILT.getProperty(key)));
    if (!Files.exists(path)) {
      throw new IllegalStateException(
          path
              + " does not exist: build the test servers first ('mvn -pl test-servers package',"
              + " or 'mvn install' in the repository root), or set -D"
              + systemProperty);
    }
    return path;
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = ServerJars.class.getResourceAsStream("servers.properties")) {
      if (in == null) {
        throw new IllegalStateException("servers.properties is missing from the test-servers jar");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }
}
