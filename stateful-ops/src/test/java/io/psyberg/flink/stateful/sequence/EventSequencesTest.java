package io.psyberg.flink.stateful.sequence;

import static io.psyberg.flink.stateful.sequence.RunningSumMachine.event;
import static io.psyberg.flink.stateful.sequence.RunningSumMachine.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.junit.jupiter.api.Test;

/** The pure helpers: ordering, recompute and bounded-run corrections. */
class EventSequencesTest {

  private static final RunningSumMachine MACHINE = new RunningSumMachine();

  @Test
  void inOrderSortsByTimeThenIdAndKeepsTheFirstCopyOfAnId() {
    List<Tuple3<String, Long, Integer>> ordered =
        EventSequences.inOrder(
            MACHINE,
            List.of(event("b", 2, 1), event("c", 1, 1), event("a", 2, 1), event("c", 0, 99)));
    assertThat(ordered).containsExactly(event("c", 1, 1), event("a", 2, 1), event("b", 2, 1));
  }

  @Test
  void recomputeKeepsTheLastValueOfEachRow() {
    Recomputation<Integer, Tuple2<String, Integer>, String> result =
        EventSequences.recompute(
            MACHINE, List.of(event("b", 2, 2), event("a", 1, 1), event("n", 3, -1)));
    assertThat(result.finalState()).isEqualTo(3);
    assertThat(result.outputs()).containsExactly(row("a", 1), row("total", 3), row("b", 3));
    assertThat(result.anomalies()).containsExactly("negative n");
  }

  @Test
  void correctionsFromASeedTouchOnlyWhatChanged() {
    // published: a (folded into the seed, sum 1), then b and c
    SequenceSeed<Integer> seed = new SequenceSeed<>(1, new SequencePosition(1, "a"));
    List<Tuple3<String, Long, Integer>> processed =
        List.of(event("a", 1, 1), event("b", 3, 2), event("c", 5, 3));
    Corrections<Tuple3<String, Long, Integer>, Tuple2<String, Integer>, String> corrections =
        EventSequences.corrections(
            MACHINE,
            seed,
            processed,
            List.of(event("d", 4, 10), event("b", 3, 2), event("z", 0, 5), event("n", 2, -1)));
    assertThat(corrections.outputs())
        .containsExactlyInAnyOrder(
            Change.insert(row("d", 13)),
            Change.updateBefore(row("c", 6)),
            Change.updateAfter(row("c", 16)),
            Change.updateBefore(row("total", 6)),
            Change.updateAfter(row("total", 16)));
    assertThat(corrections.anomalies()).containsExactly(Change.insert("negative n"));
    assertThat(corrections.tooLate()).containsExactly(event("z", 0, 5));
  }

  @Test
  void noArrivingEventsMeansNoCorrections() {
    assertThat(
            EventSequences.corrections(
                    MACHINE, SequenceSeed.initial(MACHINE), List.of(event("a", 1, 1)), List.of())
                .isEmpty())
        .isTrue();
  }
}
