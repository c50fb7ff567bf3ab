package io.psyberg.flink.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the project's version and the Flink, Iceberg and Java it runs on. */
public final class VersionInfo implements IVersionProvider {
  private static final String RESOURCE = "version.properties";

  @Override
  public String[] getVersion() throws IOException {
    Properties versions = new Properties();
    try (InputStream in = VersionInfo.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException("resource " + RESOURCE + " is missing from the build");
      }
      versions.load(in);
    }
    return new String[] {
      "psyberg-examples " + versions.getProperty("version"),
      "Flink "
          + versions.getProperty("flink")
          + ", Iceberg "
          + versions.getProperty("iceberg")
          + ", Java "
          + Runtime.version()
    };
  }
}
