package io.psyberg.flink.stateful.sequence;

import static io.psyberg.flink.stateful.sequence.RunningSumMachine.event;
import static io.psyberg.flink.stateful.sequence.RunningSumMachine.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A function seeded from published history emits nothing for the history, holds live events until
 * the history has ended, and then emits exactly the changes the live events make after it.
 */
class SeededEventSequenceFunctionTest {
  private static final long SECOND = 1_000_000L;

  private KeyedOneInputStreamOperatorTestHarness<
          String, Tuple2<Boolean, Tuple3<String, Long, Integer>>, Change<Tuple2<String, Integer>>>
      harness;

  @BeforeEach
  void open() throws Exception {
    SeededEventSequenceFunction<
            String, Tuple3<String, Long, Integer>, Integer, Tuple2<String, Integer>, String>
        function = RunningSumMachine.<String>function(null).seeded();
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(function), e -> "k", Types.STRING);
    harness.setup(
        new ChangeTypeInfo<>(RunningSumMachine.ROW).createSerializer(new ExecutionConfig()));
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  void historyIsSilentAndLiveEventsWaitForItsEnd() throws Exception {
    feed(true, event("a", 1 * SECOND, 1));
    feed(false, event("late", 2 * SECOND, 10));
    feed(true, event("c", 5 * SECOND, 3));
    feed(true, event("b", 3 * SECOND, 2));
    assertThat(output()).as("nothing before the history's end").isEmpty();

    harness.processWatermark(new Watermark(Long.MAX_VALUE));
    // After a(1), b(3), c(6): the late event at 2 s makes late=11, b=13, c=16, total=16.
    assertThat(output())
        .containsExactlyInAnyOrder(
            Change.insert(row("late", 11)),
            Change.updateAfter(row("b", 13)),
            Change.updateAfter(row("c", 16)),
            Change.updateAfter(row("total", 16)));

    feed(false, event("d", 6 * SECOND, 4));
    assertThat(output())
        .as("after the history's end live events are emitted at once")
        .containsExactly(Change.insert(row("d", 20)), Change.updateAfter(row("total", 20)));
    feed(false, event("b", 3 * SECOND, 2));
    assertThat(output()).as("a live copy of a history event counts once").isEmpty();
  }

  private void feed(boolean history, Tuple3<String, Long, Integer> event) throws Exception {
    harness.processElement(Tuple2.of(history, event), 0L);
  }

  @SuppressWarnings("unchecked")
  private List<Change<Tuple2<String, Integer>>> output() {
    List<Change<Tuple2<String, Integer>>> out = new ArrayList<>();
    Object o;
    while ((o = harness.getOutput().poll()) != null) {
      if (o instanceof StreamRecord) {
        out.add((Change<Tuple2<String, Integer>>) ((StreamRecord<?>) o).getValue());
      }
    }
    return out;
  }
}
