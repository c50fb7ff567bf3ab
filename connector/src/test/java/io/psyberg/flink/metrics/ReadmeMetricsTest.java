package io.psyberg.flink.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's metrics table lists exactly the metrics of {@link PsybergMetric}. */
class ReadmeMetricsTest {
  @Test
  void everyMetricIsDocumentedAndNothingElse() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String section = readme.substring(readme.indexOf("## Metrics"));
    section = section.substring(0, section.indexOf("\n## ", 1));
    for (PsybergMetric metric : PsybergMetric.values()) {
      assertThat(section)
          .as("README metrics table")
          .contains(
              "| `"
                  + metric.metricName()
                  + "` | "
                  + metric.kind()
                  + " | "
                  + metric.scope()
                  + " | "
                  + metric.description()
                  + " |");
    }
    Matcher rows = Pattern.compile("(?m)^\\| `[^`]+` \\|").matcher(section);
    int count = 0;
    while (rows.find()) {
      count++;
    }
    assertThat(count)
        .as("rows of the README metrics table")
        .isEqualTo(PsybergMetric.values().length);
  }
}
