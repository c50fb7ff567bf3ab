package io.psyberg.flink.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
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
  void theJvmsShareIsTakenApartFromTheJobsOwnCpu() {
    ProcessCost median =
        ProcessCost.median(
            List.of(
                new ProcessCost(1_000, 2_000, 500, 300),
                new ProcessCost(1_200, 2_600, 700, 100),
                new ProcessCost(900, 1_800, 100, 200)));
    assertThat(median).isEqualTo(new ProcessCost(1_000, 2_000, 500, 200));
    assertThat(median.ownCpuMillis()).isEqualTo(1_300);
    assertThat(new ProcessCost(1_000, 2_000).plus(new ProcessCost(10, 20, 5, 4)))
        .isEqualTo(new ProcessCost(1_010, 2_020, 5, 4));
  }

  @Test
  void theJitHasSettledWhenItsMedianShareOfEverySidesLastRunsIsSmall() {
    List<ProcessCost> settling =
        List.of(
            new ProcessCost(1_000, 1_000, 500, 0),
            new ProcessCost(1_000, 1_000, 300, 0),
            new ProcessCost(1_000, 1_000, 50, 0),
            new ProcessCost(1_000, 1_000, 200, 0),
            new ProcessCost(1_000, 1_000, 80, 0));
    // Last three: 5%, 20%, 8% -> median 8%.
    assertThat(ProcessCost.jitSettled(3, 0.10, settling)).isTrue();
    // Last five: median 20%.
    assertThat(ProcessCost.jitSettled(5, 0.10, settling)).isFalse();
    // Too few runs to tell.
    assertThat(ProcessCost.jitSettled(6, 0.10, settling)).isFalse();
    // Every side must have settled.
    List<ProcessCost> compiling = List.of(new ProcessCost(1_000, 1_000, 900, 0));
    assertThat(ProcessCost.jitSettled(1, 0.10, settling.subList(4, 5), compiling)).isFalse();
    assertThat(ProcessCost.jitSettled(1, 0.10, settling.subList(4, 5))).isTrue();
  }

  @Test
  void aFullCollectionShowsInTheCollectorsShare() {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs /proc (Linux)");
    // Other collectors may collect on the VM thread, which is neither a GC nor a JIT thread.
    assumeTrue(
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .anyMatch(gc -> gc.getName().startsWith("G1")),
        "needs G1");
    JvmUpkeep.Reading before = JvmUpkeep.read();
    System.gc();
    JvmUpkeep.Reading after = JvmUpkeep.read();
    assertThat(after.gcNanos()).isGreaterThan(before.gcNanos());
    assertThat(after.jitNanos()).isGreaterThanOrEqualTo(before.jitNanos());
  }

  @Test
  void theIncrementalBenchmarkTakesARepeatCount() {
    assertThat(IncrementalOptions.parse(new String[] {"--goals", "--repeats", "3"}).has("repeats"))
        .isTrue();
  }
}
