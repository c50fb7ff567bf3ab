package io.psyberg.flink.stateful.sequence;

import static io.psyberg.flink.stateful.sequence.RunningSumMachine.event;
import static io.psyberg.flink.stateful.sequence.RunningSumMachine.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The generic operator with a toy machine: exact changelogs for in-order, late, repeated and
 * too-late events.
 */
class EventSequenceFunctionTest {

  private static final long SECOND = 1_000_000L;

  private EventSequenceFunction<
          String, Tuple3<String, Long, Integer>, Integer, Tuple2<String, Integer>, String>
      function;
  private KeyedOneInputStreamOperatorTestHarness<
          String, Tuple3<String, Long, Integer>, Change<Tuple2<String, Integer>>>
      harness;

  private void open(Duration retention) throws Exception {
    function = RunningSumMachine.function(retention);
    // every event belongs to key "k": the operator's per-key logic is under test
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(function), e -> "k", Types.STRING);
    harness.setup(
        new ChangeTypeInfo<>(RunningSumMachine.ROW).createSerializer(new ExecutionConfig()));
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  @SuppressWarnings("unchecked")
  private List<Change<Tuple2<String, Integer>>> feed(Tuple3<String, Long, Integer> event)
      throws Exception {
    harness.processElement(event, 0L);
    List<Change<Tuple2<String, Integer>>> out = new ArrayList<>();
    Object o;
    while ((o = harness.getOutput().poll()) != null) {
      out.add((Change<Tuple2<String, Integer>>) ((StreamRecord<?>) o).getValue());
    }
    return out;
  }

  private <T> List<T> drain(Queue<StreamRecord<T>> queue) {
    List<T> out = new ArrayList<>();
    StreamRecord<T> r;
    while (queue != null && (r = queue.poll()) != null) {
      out.add(r.getValue());
    }
    return out;
  }

  private long keptEvents() throws Exception {
    AtomicLong count = new AtomicLong();
    harness
        .getOperator()
        .getKeyedStateBackend()
        .applyToAllKeys(
            VoidNamespace.INSTANCE,
            VoidNamespaceSerializer.INSTANCE,
            new MapStateDescriptor<>("events", Types.STRING, RunningSumMachine.EVENT),
            (key, state) -> state.keys().forEach(k -> count.incrementAndGet()));
    return count.get();
  }

  @Test
  void inOrderEventsEmitTheirRowsAndUpsertTheLiveRow() throws Exception {
    open(null);
    assertThat(feed(event("a", 1 * SECOND, 1)))
        .containsExactly(Change.insert(row("a", 1)), Change.insert(row("total", 1)));
    assertThat(feed(event("b", 3 * SECOND, 2)))
        .containsExactly(
            Change.insert(row("b", 3)),
            Change.updateBefore(row("total", 1)),
            Change.updateAfter(row("total", 3)));
  }

  @Test
  void aLateEventChangesOnlyTheRowsAfterIt() throws Exception {
    open(null);
    feed(event("a", 1 * SECOND, 1));
    feed(event("b", 3 * SECOND, 2));
    feed(event("c", 5 * SECOND, 3));
    assertThat(feed(event("d", 4 * SECOND, 10)))
        .containsExactlyInAnyOrder(
            Change.insert(row("d", 13)),
            Change.updateBefore(row("c", 6)),
            Change.updateAfter(row("c", 16)),
            Change.updateBefore(row("total", 6)),
            Change.updateAfter(row("total", 16)));
    // equal time: the id breaks the tie, "a5" < "b"
    assertThat(feed(event("a5", 3 * SECOND, 100)))
        .containsExactlyInAnyOrder(
            Change.insert(row("a5", 101)),
            Change.updateBefore(row("b", 3)),
            Change.updateAfter(row("b", 103)),
            Change.updateBefore(row("d", 13)),
            Change.updateAfter(row("d", 113)),
            Change.updateBefore(row("c", 16)),
            Change.updateAfter(row("c", 116)),
            Change.updateBefore(row("total", 16)),
            Change.updateAfter(row("total", 116)));
  }

  @Test
  void aLateAnomalyEmitsOnlyTheAnomaly() throws Exception {
    open(null);
    feed(event("a", 1 * SECOND, 1));
    feed(event("b", 3 * SECOND, 2));
    assertThat(feed(event("n", 2 * SECOND, -5))).isEmpty();
    assertThat(drain(harness.getSideOutput(function.anomalyTag())))
        .containsExactly(Change.insert("negative n"));
  }

  @Test
  void aRepeatedEventIdIsIgnoredEvenWithOtherContent() throws Exception {
    open(null);
    feed(event("a", 5 * SECOND, 1));
    assertThat(feed(event("a", 5 * SECOND, 1))).isEmpty();
    assertThat(feed(event("a", 1 * SECOND, 7))).isEmpty();
    assertThat(keptEvents()).isEqualTo(1);
  }

  @Test
  void retentionFoldsOldEventsAndSetsAsideEventsBeyondTheHorizon() throws Exception {
    open(Duration.ofSeconds(10));
    feed(event("a", 0, 1));
    feed(event("b", 5 * SECOND, 2));
    feed(event("c", 20 * SECOND, 3)); // horizon 10 s: a and b fold into the seed
    assertThat(keptEvents()).isEqualTo(1);

    // at the horizon: still placed, and corrections are exact from the folded seed (sum 3)
    assertThat(feed(event("d", 10 * SECOND, 10)))
        .containsExactlyInAnyOrder(
            Change.insert(row("d", 13)),
            Change.updateBefore(row("c", 6)),
            Change.updateAfter(row("c", 16)),
            Change.updateBefore(row("total", 6)),
            Change.updateAfter(row("total", 16)));
    // before the horizon: too late, no output, state untouched
    Tuple3<String, Long, Integer> late = event("e", 10 * SECOND - 1, 100);
    assertThat(feed(late)).isEmpty();
    assertThat(drain(harness.getSideOutput(function.tooLateTag()))).containsExactly(late);
    assertThat(keptEvents()).isEqualTo(2);

    // a repeated id of a kept event is a duplicate, not too late
    assertThat(feed(event("d", 10 * SECOND, 10))).isEmpty();
    assertThat(drain(harness.getSideOutput(function.tooLateTag()))).isEmpty();

    // the next in-order event moves the horizon to 21 s and folds c and d
    assertThat(feed(event("f", 31 * SECOND, 1)))
        .containsExactly(
            Change.insert(row("f", 17)),
            Change.updateBefore(row("total", 16)),
            Change.updateAfter(row("total", 17)));
    assertThat(keptEvents()).isEqualTo(1);
  }

  @Test
  void theBuilderNamesWhatIsMissingOrInvalid() {
    assertThatThrownBy(() -> EventSequenceFunction.builder(new RunningSumMachine()).build())
        .hasMessageContaining("'eventType'");
    assertThatThrownBy(
            () ->
                EventSequenceFunction.builder(new RunningSumMachine())
                    .eventType(RunningSumMachine.EVENT)
                    .stateType(Types.INT)
                    .outputType(RunningSumMachine.ROW)
                    .anomalyType(Types.STRING)
                    .retention(Duration.ZERO)
                    .build())
        .hasMessageContaining("psyberg.stateful.retention");
  }
}
