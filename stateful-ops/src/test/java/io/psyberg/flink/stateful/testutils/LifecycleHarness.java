package io.psyberg.flink.stateful.testutils;

import io.psyberg.flink.stateful.lifecycle.Anomaly;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import io.psyberg.flink.stateful.lifecycle.LifecycleProcessor;
import io.psyberg.flink.stateful.lifecycle.LifecycleState;
import io.psyberg.flink.stateful.lifecycle.LifecycleTypes;
import io.psyberg.flink.stateful.lifecycle.Segment;
import io.psyberg.flink.stateful.sequence.Change;
import io.psyberg.flink.stateful.sequence.EventSequenceFunction;
import io.psyberg.flink.stateful.testutils.LifecycleOracle.SegmentKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.types.RowKind;

/**
 * The lifecycle function in Flink's keyed operator test harness, with its changelogs applied to
 * strict tables; can snapshot and restore itself mid-stream on the heap or RocksDB backend.
 */
public final class LifecycleHarness implements AutoCloseable {

  /** State backend of the harness. */
  public enum Backend {
    HASHMAP,
    ROCKSDB
  }

  public final ChangelogTable<SegmentKey, Segment> segments =
      new ChangelogTable<>("account_lifecycle", SegmentKey::of);
  public final ChangelogTable<String, Anomaly> anomalies =
      new ChangelogTable<>("lifecycle_anomalies", Anomaly::eventId);
  public final List<LifecycleEvent> tooLate = new ArrayList<>();
  public final Map<RowKind, Long> kinds = new EnumMap<>(RowKind.class);

  private final Duration retention;
  private final Backend backend;
  private EventSequenceFunction<Long, LifecycleEvent, LifecycleState, Segment, Anomaly> function;
  private KeyedOneInputStreamOperatorTestHarness<Long, LifecycleEvent, Change<Segment>> harness;
  private long checkpointId;

  public LifecycleHarness(Duration retention, Backend backend) throws Exception {
    this.retention = retention;
    this.backend = backend;
    open(null);
  }

  private void open(OperatorSubtaskState restored) throws Exception {
    function = LifecycleProcessor.function(retention);
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(function), LifecycleEvent::accountId, Types.LONG);
    harness.setStateBackend(
        backend == Backend.ROCKSDB ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend());
    harness.setup(LifecycleTypes.SEGMENT_CHANGE.createSerializer(new ExecutionConfig()));
    if (restored != null) {
      harness.initializeState(restored);
    }
    harness.open();
  }

  /** Processes events in the given order and applies every emitted change. */
  public void feed(List<LifecycleEvent> events) throws Exception {
    for (LifecycleEvent event : events) {
      harness.processElement(event, Math.floorDiv(event.eventTimeMicros(), 1000));
    }
    drain();
  }

  /** Snapshot, close, and continue in a new operator restored from the snapshot. */
  public void restart() throws Exception {
    drain();
    OperatorSubtaskState snapshot = harness.snapshot(++checkpointId, checkpointId);
    harness.close();
    open(snapshot);
  }

  /** Events currently kept un-folded in keyed state, over all accounts. */
  public long keptEvents() throws Exception {
    AtomicLong count = new AtomicLong();
    harness
        .getOperator()
        .getKeyedStateBackend()
        .applyToAllKeys(
            VoidNamespace.INSTANCE,
            VoidNamespaceSerializer.INSTANCE,
            new MapStateDescriptor<>("events", Types.STRING, LifecycleTypes.EVENT),
            (key, state) -> state.keys().forEach(k -> count.incrementAndGet()));
    return count.get();
  }

  @SuppressWarnings("unchecked")
  private void drain() {
    Object out;
    while ((out = harness.getOutput().poll()) != null) {
      if (out instanceof StreamRecord<?> record) {
        Change<Segment> change = (Change<Segment>) record.getValue();
        kinds.merge(change.kind(), 1L, Long::sum);
        segments.apply(change);
      }
    }
    Queue<StreamRecord<Change<Anomaly>>> anomalyOut = harness.getSideOutput(function.anomalyTag());
    StreamRecord<Change<Anomaly>> anomaly;
    while (anomalyOut != null && (anomaly = anomalyOut.poll()) != null) {
      anomalies.apply(anomaly.getValue());
    }
    Queue<StreamRecord<LifecycleEvent>> lateOut = harness.getSideOutput(function.tooLateTag());
    StreamRecord<LifecycleEvent> late;
    while (lateOut != null && (late = lateOut.poll()) != null) {
      tooLate.add(late.getValue());
    }
  }

  @Override
  public void close() throws Exception {
    harness.close();
  }
}
