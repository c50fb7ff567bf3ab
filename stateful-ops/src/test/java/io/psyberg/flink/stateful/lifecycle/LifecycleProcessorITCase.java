package io.psyberg.flink.stateful.lifecycle;

import static io.psyberg.flink.stateful.testutils.TableAssertions.assertSameRows;
import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.stateful.sequence.Change;
import io.psyberg.flink.stateful.sequence.EventSequenceFunction;
import io.psyberg.flink.stateful.testutils.ChangelogTable;
import io.psyberg.flink.stateful.testutils.CommittingSink;
import io.psyberg.flink.stateful.testutils.EventGenerator;
import io.psyberg.flink.stateful.testutils.LifecycleOracle;
import io.psyberg.flink.stateful.testutils.LifecycleOracle.SegmentKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.source.RichSourceFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle on a MiniCluster (parallelism 2) with exactly-once sinks: on RocksDB with a failure
 * injected after a completed checkpoint, and with retention sending events to the counted too-late
 * output. Both end equal to the full recompute.
 */
class LifecycleProcessorITCase {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
              .build());

  /** Events of the running test, read by index in the source (same JVM as the MiniCluster). */
  private static volatile List<LifecycleEvent> events;

  @TempDir Path checkpoints;

  @BeforeEach
  void reset() {
    for (String sink : List.of("segments", "anomalies", "too-late")) {
      CommittingSink.reset(sink);
    }
    FailOnceAfterCheckpoint.CHECKPOINT_COMPLETED = new CountDownLatch(1);
    FailOnceAfterCheckpoint.FAILED.set(false);
  }

  @Test
  void rocksDbRestoredAfterAFailureEndsEqualToTheRecompute() throws Exception {
    events = new EventGenerator(7).conflictingDuplicates(false).generate(500);
    StreamExecutionEnvironment env = environment();
    env.setStateBackend(new EmbeddedRocksDBStateBackend(true));
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(2, 200));

    DataStream<RowData> input =
        env.addSource(new HeldUntilCheckpoint(events.size() / 4), "events held until a checkpoint")
            .returns(InternalTypeInfo.of(LifecycleRows.EVENT_ROW_TYPE))
            .map(new FailOnceAfterCheckpoint())
            .returns(InternalTypeInfo.of(LifecycleRows.EVENT_ROW_TYPE))
            .name("fail once");
    wire(input, null);
    env.execute("lifecycle on rocksdb with failover");

    assertThat(FailOnceAfterCheckpoint.FAILED).as("failure injected after a checkpoint").isTrue();
    assertEqualsRecompute(events);
  }

  @Test
  void eventsBeyondRetentionGoToTheCountedTooLateOutput() throws Exception {
    events = new EventGenerator(8).conflictingDuplicates(false).generate(500);
    StreamExecutionEnvironment env = environment();
    wire(source(env), Duration.ofHours(2));
    JobExecutionResult result = env.execute("lifecycle with retention");

    List<LifecycleEvent> tooLate = new ArrayList<>();
    EventRowReader reader = new EventRowReader(LifecycleRows.EVENT_ROW_TYPE);
    CommittingSink.committed("too-late").forEach(row -> tooLate.add(reader.read(row)));
    assertThat(tooLate).isNotEmpty();
    long counted = 0;
    for (Metric metric :
        REPORTER.findMetrics(result.getJobID(), EventSequenceFunction.TOO_LATE_COUNTER).values()) {
      counted += ((Counter) metric).getCount();
    }
    assertThat(counted).isEqualTo(tooLate.size());

    List<LifecycleEvent> accepted = new ArrayList<>(events);
    tooLate.forEach(
        accepted::remove); // one copy each: an exact copy of an accepted event may be the late one
    assertEqualsRecompute(accepted);
  }

  private StreamExecutionEnvironment environment() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(100);
    env.getCheckpointConfig().setCheckpointStorage(checkpoints.toUri().toString());
    env.getConfig().disableGenericTypes(); // proves nothing falls back to Kryo
    return env;
  }

  private static DataStream<RowData> source(StreamExecutionEnvironment env) {
    return env.fromSequence(0, events.size() - 1)
        .map((MapFunction<Long, RowData>) i -> LifecycleRows.toRow(events.get(i.intValue())))
        .returns(InternalTypeInfo.of(LifecycleRows.EVENT_ROW_TYPE))
        .name("events");
  }

  private static void wire(DataStream<RowData> input, Duration retention) {
    LifecycleStreams out = LifecycleProcessor.builder().retention(retention).build().process(input);
    out.segments()
        .addSink(new CommittingSink("segments", LifecycleRows.SEGMENT_ROW_TYPE))
        .name("segments");
    out.anomalies()
        .addSink(new CommittingSink("anomalies", LifecycleRows.ANOMALY_ROW_TYPE))
        .name("anomalies");
    out.tooLate()
        .addSink(new CommittingSink("too-late", LifecycleRows.EVENT_ROW_TYPE))
        .name("too-late");
  }

  private static void assertEqualsRecompute(List<LifecycleEvent> accepted) {
    ChangelogTable<SegmentKey, Segment> segments =
        new ChangelogTable<>("account_lifecycle", SegmentKey::of);
    CommittingSink.committed("segments")
        .forEach(
            row -> segments.apply(new Change<>(row.getRowKind(), LifecycleRows.toSegment(row))));
    ChangelogTable<String, Anomaly> anomalies =
        new ChangelogTable<>("lifecycle_anomalies", Anomaly::eventId);
    CommittingSink.committed("anomalies")
        .forEach(
            row -> anomalies.apply(new Change<>(row.getRowKind(), LifecycleRows.toAnomaly(row))));

    LifecycleResult recomputed = LifecycleRecompute.recompute(accepted);
    LifecycleOracle.Expected oracle = LifecycleOracle.expected(accepted);
    assertThat(recomputed.segments()).containsExactlyElementsOf(oracle.segments().values());
    assertSameRows("account_lifecycle", segments.rows(), oracle.segments());
    assertSameRows("lifecycle_anomalies", anomalies.rows(), oracle.anomalies());
    assertThat(segments.rows()).hasSizeGreaterThan(accepted.size() / 10);
  }

  /**
   * Emits the events in order, stopping after {@code holdAfter} of them until a checkpoint (holding
   * their keyed state) completes, then the rest; restores its position from the checkpoint.
   */
  private static final class HeldUntilCheckpoint extends RichSourceFunction<RowData>
      implements CheckpointedFunction, CheckpointListener {

    private final int holdAfter;
    private transient ListState<Integer> position;
    private volatile int next;
    private volatile boolean running = true;

    HeldUntilCheckpoint(int holdAfter) {
      this.holdAfter = holdAfter;
    }

    @Override
    public void run(SourceContext<RowData> ctx) throws Exception {
      while (running && next < events.size()) {
        if (next == holdAfter
            && !FailOnceAfterCheckpoint.CHECKPOINT_COMPLETED.await(100, TimeUnit.MILLISECONDS)) {
          continue; // waits for the completed checkpoint (the lock stays free), cancellable
        }
        synchronized (ctx.getCheckpointLock()) {
          ctx.collect(LifecycleRows.toRow(events.get(next)));
          next++;
        }
      }
    }

    @Override
    public void cancel() {
      running = false;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
      position.update(List.of(next));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
      position =
          context
              .getOperatorStateStore()
              .getListState(new ListStateDescriptor<>("position", Integer.class));
      for (Integer restored : position.get()) {
        next = restored;
      }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      if (next >= holdAfter) {
        FailOnceAfterCheckpoint.CHECKPOINT_COMPLETED.countDown();
      }
    }
  }

  /**
   * Fails once, on the first record after a checkpoint completed (see {@link HeldUntilCheckpoint}).
   */
  private static final class FailOnceAfterCheckpoint implements MapFunction<RowData, RowData> {

    static volatile CountDownLatch CHECKPOINT_COMPLETED = new CountDownLatch(1);
    static final AtomicBoolean FAILED = new AtomicBoolean();

    @Override
    public RowData map(RowData row) {
      if (CHECKPOINT_COMPLETED.getCount() == 0 && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure (test)");
      }
      return row;
    }
  }
}
