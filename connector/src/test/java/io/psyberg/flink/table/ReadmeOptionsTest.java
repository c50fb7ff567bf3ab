package io.psyberg.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/** The README's options table lists every option the connector declares, with its default. */
class ReadmeOptionsTest {
  @Test
  void everyOptionIsDocumented() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (ConfigOption<?> option : PsybergConnectorOptions.all()) {
      assertThat(readme).as("README options table").contains("| `" + option.key() + "` |");
      assertThat(option.hasDefaultValue() || readme.contains("| `" + option.key() + "` | — |"))
          .as("option %s without default is shown with —", option.key())
          .isTrue();
    }
  }
}
