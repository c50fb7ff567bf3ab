package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.catalog.ReadOnlyTableLoader;
import io.psyberg.flink.catalog.ReadOnlyTables;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.planning.ProcessedHistory;
import io.psyberg.flink.planning.ScanFilter;
import io.psyberg.flink.planning.StatefulRunPlan;
import io.psyberg.flink.session.Processing;
import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.sink.PsybergSinkBuilder;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.source.PsybergSourceBuilder;
import io.psyberg.flink.stateful.lifecycle.LifecycleProcessor;
import io.psyberg.flink.stateful.lifecycle.LifecycleRows;
import io.psyberg.flink.stateful.lifecycle.LifecycleStreams;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.annotation.Nullable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.jobgraph.SavepointConfigOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.source.IcebergSource;

/**
 * The stateful lifecycle process: membership events → {@code account_lifecycle} and {@code
 * lifecycle_anomalies}, both written in upsert mode by psyberg sinks of one process.
 *
 * <p>Continuous: the keyed lifecycle operator keeps each account's events in state and emits
 * corrections as late events arrive; a fresh start over published targets starts from a savepoint
 * of that state written from the published history. Bounded: each run reads the new session plus a
 * lookback bounded by the session's change range and by the accounts the new events touch (their
 * processed events since the minimum event time, and their published segments in effect then)
 * rather than the whole history, and publishes only the corrections.
 *
 * <p>Two targets, one process: each target carries the high watermark in its own publish, and a run
 * resumes from the target furthest behind. A crash between the two publishes leaves one target
 * ahead: the next bounded run computes each target's corrections against what that target itself
 * published (the events its own high watermark covers), so the target ahead still receives the
 * retractions that the later events imply for the rows it already holds.
 */
public final class LifecycleJob {
  /** Positions of the metadata columns after the five projected event columns. */
  private static final int SOURCE_TABLE = 5;

  private static final int SNAPSHOT_ID = 6;

  /** Above this many touched accounts a run reads every account's history (one filter less). */
  private static final int MAX_KEY_FILTER = 200_000;

  private static final List<String> EVENT_COLUMNS =
      List.of("event_id", "account_id", "event_type", "plan", "event_ts");

  /** Published-to mask of events every target has published. */
  private static final int ALL =
      (1 << LifecycleInputs.LIFECYCLE_TARGET) | (1 << LifecycleInputs.ANOMALIES_TARGET);

  private final CatalogSpec catalog;
  private final String process;
  private final List<String> sources;
  private final String lifecycleTable;
  private final String anomaliesTable;
  private UnaryOperator<PsybergSinkBuilder> sinkSettings = UnaryOperator.identity();
  private int maxSnapshotsPerSession;

  public LifecycleJob(
      CatalogSpec catalog,
      String process,
      List<String> sources,
      String lifecycleTable,
      String anomaliesTable) {
    this.catalog = catalog;
    this.process = process;
    this.sources = List.copyOf(sources);
    this.lifecycleTable = lifecycleTable;
    this.anomaliesTable = anomaliesTable;
  }

  /**
   * Applied to both targets' sink builders before they are built: extra audits or options, or
   * (tests) a hook between the steps of each publish.
   */
  public LifecycleJob sinkSettings(UnaryOperator<PsybergSinkBuilder> settings) {
    this.sinkSettings = settings;
    return this;
  }

  /**
   * At most this many new snapshots per source table in one session (0, the default: no cap): each
   * session of a continuous job, and each {@link #bounded} run, which then says whether more are
   * left for the next one.
   */
  public LifecycleJob maxSnapshotsPerSession(int max) {
    if (max < 0) {
      throw new IllegalArgumentException(
          "Process "
              + process
              + ": max-snapshots-per-session must be 0 (no cap) or more, got "
              + max);
    }
    this.maxSnapshotsPerSession = max;
    return this;
  }

  /** Creates the targets when missing (and checks their shape). */
  public void ensureTargets() {
    Catalog c = catalog.open();
    try {
      LifecycleTables.ensure(c, lifecycleTable, LifecycleTables.LIFECYCLE);
      LifecycleTables.ensure(c, anomaliesTable, LifecycleTables.ANOMALIES);
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  private PsybergSourceBuilder source() {
    return PsybergSource.builder()
        .catalog(catalog)
        .processName(process)
        .tables(sources)
        .processing(Processing.STATEFUL)
        .changeRangeColumn("event_ts")
        .targetTable(lifecycleTable)
        .targetTable(anomaliesTable)
        .project(EVENT_COLUMNS);
  }

  private void sinks(DataStream<RowData> segments, DataStream<RowData> anomalies) {
    sinks(segments, WriteMode.RETRACT, anomalies, WriteMode.RETRACT);
  }

  /**
   * Corrections carry each replaced segment's old value, so in {@code retract} its delete lands in
   * the partition the segment lived in (closing a segment moves it out of the open ones).
   */
  private void sinks(
      DataStream<RowData> segments,
      WriteMode lifecycleMode,
      DataStream<RowData> anomalies,
      WriteMode anomaliesMode) {
    PsybergSinkBuilder lifecycle =
        PsybergSink.builder()
            .catalog(catalog)
            .processName(process)
            .table(lifecycleTable)
            .writeMode(lifecycleMode)
            .audit(new LifecycleContiguityAudit());
    sinkSettings.apply(lifecycle).build().append(segments);
    PsybergSinkBuilder anomaly =
        PsybergSink.builder()
            .catalog(catalog)
            .processName(process)
            .table(anomaliesTable)
            .writeMode(anomaliesMode);
    sinkSettings.apply(anomaly).build().append(anomalies);
  }

  /**
   * A bounded run corrects what a target published; into a target that holds nothing yet it only
   * inserts, so it is written with the append writer, which skips the retract writer's bookkeeping
   * of every inserted key (for deletes within one commit): most of a first run's write cost. Should
   * the corrector ever send such a target a retraction, the append writer refuses it and the run
   * fails before anything is published.
   */
  private static WriteMode boundedWriteMode(@Nullable Long currentSnapshot) {
    return currentSnapshot == null ? WriteMode.APPEND : WriteMode.RETRACT;
  }

  /**
   * Adds the continuous job to {@code env}; the caller enables checkpointing and executes. A job
   * that restores from a checkpoint or savepoint finds every account's events in its state. A fresh
   * start over targets that already hold published output first runs a bounded job that writes the
   * state after the events they hold (up to their common high watermark) into a savepoint, and sets
   * {@code env} to start from it (see {@link HistorySeed}); the job then processes what is new. Run
   * {@link #bounded} to the end first when the targets stand at different high watermarks (see
   * {@link #hasPublished}), otherwise this fails naming them.
   */
  public void continuous(
      StreamExecutionEnvironment env, Duration monitorInterval, @Nullable Duration retention) {
    LifecycleProcessor.Builder builder =
        LifecycleProcessor.builder().uidPrefix("lifecycle-" + process);
    if (retention != null) {
      builder.retention(retention);
    }
    LifecycleProcessor processor = builder.build();
    boolean restoring =
        env.getConfiguration().getOptional(SavepointConfigOptions.SAVEPOINT_PATH).isPresent();
    Map<String, Long> history = restoring ? Map.of() : commonHighWatermark();
    if (!history.isEmpty()) {
      HistorySeed.seed(env, processor, process, seeding -> history(seeding, history));
    }
    DataStream<RowData> events =
        env.fromSource(
                source()
                    .continuous(monitorInterval)
                    .maxSnapshotsPerSession(maxSnapshotsPerSession)
                    .build(),
                WatermarkStrategy.noWatermarks(),
                "events " + process)
            .uid("psyberg-source-" + process);
    LifecycleStreams out = processor.process(events);
    sinks(out.segments(), out.anomalies());
  }

  /** Whether any target holds a publish of this process (a fresh continuous start reads them). */
  public boolean hasPublished() {
    Catalog c = catalog.open();
    try {
      for (String target : List.of(lifecycleTable, anomaliesTable)) {
        if (PublishedHighWatermark.find(
                ReadOnlyTables.load(c, TableIdentifier.parse(target)), process)
            .isPresent()) {
          return true;
        }
      }
      return false;
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  /**
   * The source positions both targets published, or empty when neither published anything; fails
   * when they differ (a run stopped between their publishes).
   */
  private Map<String, Long> commonHighWatermark() {
    Catalog c = catalog.open();
    try {
      Map<String, Map<String, Long>> byTarget = new LinkedHashMap<>();
      for (String target : List.of(lifecycleTable, anomaliesTable)) {
        byTarget.put(
            target,
            PublishedHighWatermark.find(
                    ReadOnlyTables.load(c, TableIdentifier.parse(target)), process)
                .map(PublishedHighWatermark::positions)
                .orElse(Map.of()));
      }
      if (new HashSet<>(byTarget.values()).size() > 1) {
        throw new IllegalStateException(
            String.format(
                "Process %s: the targets stand at different high watermarks %s (a run stopped"
                    + " between their publishes), and a continuous job started without a"
                    + " checkpoint needs them together: run the lifecycle bounded once (it brings"
                    + " both to the source's head), or restore the job from its last checkpoint"
                    + " or savepoint.",
                process, byTarget));
      }
      return byTarget.get(lifecycleTable);
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  /**
   * The events the targets already hold: every source table up to its high watermark, also once
   * snapshot expiry removed that snapshot.
   */
  private DataStream<RowData> history(StreamExecutionEnvironment env, Map<String, Long> positions) {
    ProcessedHistory processed =
        ProcessedHistory.asOf(catalog, process, positions, List.of(lifecycleTable, anomaliesTable));
    DataStream<RowData> history = null;
    for (DataStream<RowData> events : processed.readPlanned(env, catalog, EVENT_COLUMNS)) {
      DataStream<RowData> typed =
          events
              .map(r -> r)
              .returns(InternalTypeInfo.of(LifecycleRows.EVENT_ROW_TYPE))
              .name("history events");
      history = history == null ? typed : history.union(typed);
    }
    if (history == null) {
      throw new IllegalStateException(
          "Process " + process + ": published high watermark " + positions + " names no snapshot");
    }
    return history;
  }

  /**
   * Adds one bounded run to {@code env}. Plans the session up front (metadata only, {@link
   * StatefulRunPlan}) to size the lookback, then reads exactly that session.
   *
   * @return whether the session is capped ({@link #maxSnapshotsPerSession}): newer snapshots are
   *     left for the next run, which corrects from this one's published end
   */
  public boolean bounded(StreamExecutionEnvironment env) {
    return bounded(env, Map.of());
  }

  /**
   * As {@link #bounded(StreamExecutionEnvironment)}, with the session ending no later than {@code
   * endAt} (per source table, a snapshot id): a catch-up in steps passes the snapshots current when
   * it started.
   */
  public boolean bounded(StreamExecutionEnvironment env, Map<String, Long> endAt) {
    // Every operator of this job turns its input into new rows or keeps it only across a network
    // exchange: without reuse Flink deep-copies each record between chained operators (a fifth of a
    // first run's CPU went to copying the events the source emits).
    env.getConfig().enableObjectReuse();
    StatefulRunPlan plan =
        StatefulRunPlan.plan(
            catalog,
            process,
            sources,
            "event_ts",
            List.of(lifecycleTable, anomaliesTable),
            maxSnapshotsPerSession,
            endAt);
    DataStream<RowData> inputs =
        env.fromSource(
                // The plan's end, not the cap, bounds the read: the plan may reach further than
                // the cap to a target a stopped run left ahead.
                source().endAt(plan.end()).withMetadataColumns(true).build(),
                WatermarkStrategy.noWatermarks(),
                "new events " + process)
            .map(
                r ->
                    LifecycleInputs.event(
                        LifecycleInputs.NEW_EVENT,
                        r,
                        plan.publishedTo(
                            r.getString(SOURCE_TABLE).toString(), r.getLong(SNAPSHOT_ID))))
            .returns(InternalTypeInfo.of(LifecycleInputs.TYPE))
            .name("new events");
    Long lifecycleAt = currentSnapshot(lifecycleTable);
    if (plan.hasNewEvents() && (lifecycleAt != null || !plan.processedThrough().isEmpty())) {
      // Keys first: only the accounts the new events touch need their history and segments.
      Expression touched =
          StatefulRunPlan.keyFilter(
              "account_id", plan.keysOfNewEvents(catalog, "account_id", MAX_KEY_FILTER));
      for (DataStream<RowData> processed :
          plan.readProcessed(env, catalog, EVENT_COLUMNS, touched)) {
        inputs =
            inputs.union(
                processed
                    .map(e -> LifecycleInputs.event(LifecycleInputs.PROCESSED_EVENT, e, ALL))
                    .returns(InternalTypeInfo.of(LifecycleInputs.TYPE))
                    .name("lookback events"));
      }
      if (lifecycleAt != null) {
        Expression inEffect =
            Expressions.and(
                touched,
                Expressions.or(
                    Expressions.isNull("valid_to"),
                    Expressions.greaterThanOrEqual("valid_to", plan.lookbackFrom())));
        inputs =
            inputs.union(
                read(env, lifecycleTable, lifecycleAt, inEffect)
                    .map(LifecycleInputs::segment)
                    .returns(InternalTypeInfo.of(LifecycleInputs.TYPE))
                    .name("published segments"));
      }
    }
    SingleOutputStreamOperator<RowData> segments =
        inputs
            .keyBy(r -> r.getLong(1))
            .process(new BoundedLifecycleCorrector())
            .returns(InternalTypeInfo.of(LifecycleRows.SEGMENT_ROW_TYPE))
            .name("lifecycle corrections");
    sinks(
        segments,
        boundedWriteMode(lifecycleAt),
        segments.getSideOutput(BoundedLifecycleCorrector.ANOMALIES),
        boundedWriteMode(currentSnapshot(anomaliesTable)));
    return plan.capped();
  }

  @Nullable
  private Long currentSnapshot(String table) {
    Catalog c = catalog.open();
    try {
      Snapshot current = ReadOnlyTables.load(c, TableIdentifier.parse(table)).currentSnapshot();
      return current == null ? null : current.snapshotId();
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  private DataStream<RowData> read(
      StreamExecutionEnvironment env, String table, long snapshotId, Expression filter) {
    Table loaded = loadReadOnly(table);
    // The accounts' IN is checked on the rows read: Iceberg would bind it for every file and row
    // group, and prune none of them by it (every file holds segments of every account).
    ScanFilter split = ScanFilter.of(filter, loaded.spec(), loaded.schema());
    IcebergSource<RowData> source =
        IcebergSource.forRowData()
            .tableLoader(ReadOnlyTableLoader.of(catalog, TableIdentifier.parse(table)))
            .streaming(false)
            .set("snapshot-id", Long.toString(snapshotId))
            .filters(List.of(split.pushed()))
            .build();
    return split.applyTo(
        env.fromSource(
            source,
            WatermarkStrategy.noWatermarks(),
            "iceberg " + table + "@" + snapshotId,
            InternalTypeInfo.of(FlinkSchemaUtil.convert(loaded.schema()))));
  }

  private Table loadReadOnly(String table) {
    Catalog c = catalog.open();
    try {
      return ReadOnlyTables.load(c, TableIdentifier.parse(table));
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }
}
