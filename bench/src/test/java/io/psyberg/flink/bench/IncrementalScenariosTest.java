package io.psyberg.flink.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** How the incremental benchmark's options choose its scenarios, and how it judges the goals. */
class IncrementalScenariosTest {

  private static List<IncrementalScenario> scenarios(String... argv) {
    return IncrementalOptions.scenarios(IncrementalOptions.parse(argv));
  }

  @Test
  void goalsAreTheThreeHistoriesAndScaledAddsTheLargestTenTimesOver() {
    assertThat(scenarios("--goals"))
        .containsExactly(
            IncrementalScenario.of(2_000, 100),
            IncrementalScenario.of(2_000, 1_000),
            IncrementalScenario.of(10_000, 100));
    List<IncrementalScenario> scaled = scenarios("--goals", "--scaled");
    assertThat(scaled).hasSize(4);
    IncrementalScenario big = scaled.get(3);
    assertThat(big).isEqualTo(new IncrementalScenario(2_000, 20_000, 1_000, true, 100));
    assertThat(big.historyRows()).isEqualTo(20_000_000L);
    assertThat(big.label()).isEqualTo("2000x1000@20000 (psyberg only)");
  }

  @Test
  void scenariosParseWithAHistoryBatchAndTheScaledSessionDays() {
    assertThat(scenarios("--scenarios", "200x10, 1_000x10", "--history-batch", "300"))
        .containsExactly(
            new IncrementalScenario(200, 300, 10, false, 0),
            new IncrementalScenario(1_000, 300, 10, false, 0));
    assertThat(
            scenarios("--scenarios", "200x10,200x100", "--scaled", "--scaled-session-days", "25"))
        .last()
        .isEqualTo(new IncrementalScenario(200, 2_000, 100, true, 25));
    // More days per session than the history has: one session.
    assertThat(scenarios("--scenarios", "200x10", "--scaled", "--scaled-session-days", "99"))
        .last()
        .isEqualTo(new IncrementalScenario(200, 2_000, 10, true, 10));
  }

  @Test
  void psybergOnlyDropsTheFullRecomputeAndLoadsInOneSession() {
    assertThat(scenarios("--scenarios", "2000x1000", "--history-batch", "20000", "--psyberg-only"))
        .containsExactly(new IncrementalScenario(2_000, 20_000, 1_000, true, 0));
  }

  @Test
  void batchAndMultiplesStillWork() {
    assertThat(scenarios("--batch", "500", "--multiples", "100,10"))
        .containsExactly(IncrementalScenario.of(500, 10), IncrementalScenario.of(500, 100));
    assertThat(scenarios("--quick")).containsExactly(IncrementalScenario.of(2_000, 100));
    assertThat(scenarios())
        .containsExactly(IncrementalScenario.of(10_000, 10), IncrementalScenario.of(10_000, 100));
  }

  @Test
  void badScenarioOptionsSayWhatToGive() {
    assertThatThrownBy(() -> scenarios("--scenarios", "200x"))
        .hasMessageContaining("--scenarios takes BATCHxDAYS")
        .hasMessageContaining("'200x'");
    assertThatThrownBy(() -> scenarios("--scenarios", "0x10"))
        .hasMessageContaining("positive whole numbers");
    assertThatThrownBy(() -> scenarios("--scenarios", "200x10,200x10"))
        .hasMessageContaining("names 200x10 twice");
    assertThatThrownBy(() -> scenarios("--goals", "--scenarios", "200x10"))
        .hasMessageContaining("give one of them");
    assertThatThrownBy(() -> scenarios("--goals", "--batch", "200"))
        .hasMessageContaining("give one of them");
    assertThatThrownBy(() -> scenarios("--goals", "--scaled-session-days", "5"))
        .hasMessageContaining("add --scaled");
  }

  private static IncrementalRow row(
      String job,
      IncrementalScenario s,
      double firstPsyberg,
      Double firstFull,
      double psyberg,
      Double full) {
    return new IncrementalRow(
        job,
        s,
        new ProcessCost(firstPsyberg * 1000, firstPsyberg * 1000),
        firstFull == null ? null : new ProcessCost(firstFull * 1000, firstFull * 1000),
        new ProcessCost(psyberg * 1000, psyberg * 1000),
        full == null ? null : new ProcessCost(full * 1000, full * 1000),
        0,
        "equal",
        null);
  }

  @Test
  void goalsPairDecadesAtTheSameNewRowsAndTargetBySharesOfNewData() {
    IncrementalScenario small = IncrementalScenario.of(2_000, 100);
    IncrementalScenario large = IncrementalScenario.of(2_000, 1_000);
    IncrementalScenario onePercent = IncrementalScenario.of(10_000, 100);
    IncrementalScenario tenPercent = IncrementalScenario.of(2_000, 10);
    IncrementalScenario scaled = large.scaled(100);
    List<IncrementalGoals.Goal> goals =
        IncrementalGoals.evaluate(
            List.of(
                row("lifecycle", small, 10, 9.0, 4, 8.0),
                row("lifecycle", large, 30, 28.0, 4.4, 50.0),
                row("lifecycle", onePercent, 20, 15.0, 4, 20.0),
                row("lifecycle", tenPercent, 5, 5.0, 4, 5.0),
                row("lifecycle", scaled, 300, null, 5.5, null)));
    assertThat(goals)
        .extracting(IncrementalGoals.Goal::goal, IncrementalGoals.Goal::met)
        .containsExactly(
            // 2,000 new rows over 20K, 200K, 2M and the scaled 20M: three decades.
            tuple(
                "history x10 (20,000 → 200,000 rows), same 2,000 new rows: incremental CPU grows",
                true),
            tuple(
                "history x10 (200,000 → 2,000,000 rows), same 2,000 new rows: incremental CPU"
                    + " grows",
                true),
            tuple(
                "history x10 (2,000,000 → 20,000,000 rows, scaled), same 2,000 new rows:"
                    + " incremental CPU grows",
                false),
            tuple("0.1% new over 2,000,000 rows: times less CPU than the full recompute", true),
            tuple("1% new over 1,000,000 rows: times less CPU than the full recompute", true),
            tuple("first run over 200,000 rows of history / full recompute (wall)", true),
            tuple("first run over 2,000,000 rows of history / full recompute (wall)", true),
            tuple("first run over 1,000,000 rows of history / full recompute (wall)", false),
            tuple("first run over 20,000 rows of history / full recompute (wall)", true));
    assertThat(goals.get(1).measured()).isCloseTo(1.1, Offset.offset(1e-9));
    assertThat(goals.get(2).measured()).isCloseTo(1.25, Offset.offset(1e-9));
    assertThat(goals.get(3).measured()).isCloseTo(50 / 4.4, Offset.offset(1e-9));
    assertThat(IncrementalGoals.table(List.of(row("signups", tenPercent, 1, 1.0, 1, 1.0))))
        .contains("| first run over 20,000 rows")
        .contains("1 of 1 met");
  }

  @Test
  void theScaledHistoryIsComparedWithTheRunsTimedAlongsideIt() {
    IncrementalScenario large = IncrementalScenario.of(2_000, 1_000);
    IncrementalScenario scaled = large.scaled(100);
    IncrementalRow longer = row("lifecycle", scaled, 300, null, 5.5, null);
    IncrementalRow alongside =
        new IncrementalRow(
            longer.job(),
            scaled,
            longer.firstPsyberg(),
            null,
            longer.psyberg(),
            null,
            0,
            "equal",
            new ProcessCost(5_000, 5_000));
    // Against the 2M scenario's own runs (4.4 s, minutes earlier): 1.25x; against the runs over
    // the 2M history that alternated with the scaled ones (5.0 s): 1.1x.
    assertThat(
            IncrementalGoals.evaluate(
                List.of(row("lifecycle", large, 30, 28.0, 4.4, 50.0), alongside)))
        .filteredOn(g -> g.goal().startsWith("history x10"))
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.measured()).isCloseTo(1.1, Offset.offset(1e-9));
              assertThat(g.met()).isTrue();
              assertThat(g.detail()).isEqualTo("5.0 → 5.5 s CPU (runs alternating)");
            });
  }
}
