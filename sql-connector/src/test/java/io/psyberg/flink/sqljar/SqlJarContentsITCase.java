package io.psyberg.flink.sqljar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Checks the shaded jar after 'package' (failsafe runs it in 'verify', as every *ITCase). */
class SqlJarContentsITCase {

  private static Path jar() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files
          .filter(p -> p.getFileName().toString().matches("psyberg-flink-sql-connector-.*\\.jar"))
          .filter(p -> !p.getFileName().toString().contains("original"))
          .findFirst()
          .orElse(null);
    }
  }

  @Test
  void factoryIsRegisteredAndFlinkIsNotInside() throws Exception {
    Path jar = jar();
    assertThat(jar).as("the shaded jar in target/").isNotNull();
    try (JarFile f = new JarFile(jar.toFile())) {
      assertThat(f.getEntry("io/psyberg/flink/table/PsybergDynamicTableFactory.class")).isNotNull();
      assertThat(f.getEntry("org/apache/iceberg/flink/FlinkCatalogFactory.class")).isNotNull();
      assertThat(f.getEntry("org/apache/hadoop/conf/Configuration.class")).isNotNull();
      assertThat(f.getEntry("org/apache/flink/table/factories/FactoryUtil.class")).isNull();
      try (InputStream services =
          f.getInputStream(
              f.getEntry("META-INF/services/org.apache.flink.table.factories.Factory"))) {
        String text = new String(services.readAllBytes(), StandardCharsets.UTF_8);
        assertThat(text)
            .contains("io.psyberg.flink.table.PsybergDynamicTableFactory")
            .contains("org.apache.iceberg.flink.FlinkDynamicTableFactory");
      }
    }
  }
}
