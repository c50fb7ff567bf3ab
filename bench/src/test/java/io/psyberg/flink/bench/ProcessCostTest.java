package io.psyberg.flink.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The medians the incremental benchmark reports over repeated runs. */
class ProcessCostTest {

  @Test
  void theMedianOfWallAndOfCpuAreEachTakenOnTheirOwn() {
    ProcessCost median =
        ProcessCost.median(
            List.of(
                new ProcessCost(3_000, 1_000),
                new ProcessCost(1_000, 9_000),
                new ProcessCost(2_000, 2_000)));
    assertThat(median).isEqualTo(new ProcessCost(2_000, 2_000));
    assertThat(
            ProcessCost.median(
                List.of(new ProcessCost(1_000, 4_000), new ProcessCost(3_000, 2_000))))
        .isEqualTo(new ProcessCost(2_000, 3_000));
    assertThat(ProcessCost.median(List.of(new ProcessCost(5, 7)))).isEqualTo(new ProcessCost(5, 7));
    assertThatThrownBy(() -> ProcessCost.median(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theIncrementalBenchmarkTakesARepeatCount() {
    assertThat(
            IncrementalBenchmark.parse(new String[] {"--goals", "--repeats", "3"}).has("repeats"))
        .isTrue();
  }
}
