package io.psyberg.flink.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.testutils.CliRun;
import io.psyberg.flink.stateful.lifecycle.LifecycleResult;
import io.psyberg.flink.testutils.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stateful {@code lifecycle} job (upsert targets, late-event corrections) over a source whose
 * snapshots are expired down to the newest one and targets that are compacted and expired between
 * runs: both tables equal a full recompute after every run.
 */
class LifecycleUnderMaintenanceITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final String EVENTS = "membership.events";
  private static final String SEGMENTS = "membership.account_lifecycle";
  private static final String ANOMALIES = "membership.lifecycle_anomalies";

  @TempDir Path dir;
  private Warehouse wh;

  @BeforeEach
  void open() {
    wh = new Warehouse(dir);
  }

  @AfterEach
  void close() throws Exception {
    wh.close();
  }

  private static CliRun ok(CliRun run) {
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return run;
  }

  private void generate(long seed) {
    ok(
        CliRun.of(
            "generate",
            "--warehouse",
            wh.dir(),
            "--table",
            EVENTS,
            "--accounts",
            "25",
            "--events",
            "150",
            "--late-fraction",
            "0.2",
            "--seed",
            Long.toString(seed)));
  }

  private void lifecycle() {
    ok(
        CliRun.of(
            "lifecycle",
            "--warehouse",
            wh.dir(),
            "--process",
            "lc",
            "--source",
            EVENTS,
            "--target",
            SEGMENTS,
            "--anomalies",
            ANOMALIES));
  }

  private void assertEqualsFullRecompute() {
    LifecycleResult expected =
        Expected.lifecycle(wh.catalog(), EVENTS, wh.load(EVENTS).currentSnapshot().snapshotId());
    assertThat(Expected.published(wh.catalog(), SEGMENTS, Expected.SEGMENT_COLUMNS))
        .isEqualTo(Expected.segments(expected));
    assertThat(Expected.published(wh.catalog(), ANOMALIES, Expected.ANOMALY_COLUMNS))
        .isEqualTo(Expected.anomalies(expected));
  }

  // Known gap: LifecycleJob.bounded reads the processed events for its lookback as of the source
  // range's start snapshot (r.fromSnapshotId()); once source expiry removed that snapshot, the
  // corrections come out wrong and the contiguity audit stops the publish (nothing published, the
  // HWM stays). The lookback must read the processed events from the files live at the range end
  // minus the session's planned files instead. Enable this test with that fix.
  @Disabled("the lifecycle lookback reads the expired HWM snapshot; see the comment above")
  @Test
  void correctionsStayExactThroughSourceExpiryAndTargetCompaction() {
    generate(1);
    lifecycle();
    assertEqualsFullRecompute();

    generate(2);
    generate(3);
    retainLastOne(wh.load(EVENTS)); // the HWM snapshot and the unread ones
    compact(wh.load(SEGMENTS));
    retainLastOne(wh.load(SEGMENTS));
    lifecycle();
    assertEqualsFullRecompute();

    generate(4);
    compact(wh.load(ANOMALIES));
    retainLastOne(wh.load(ANOMALIES));
    retainLastOne(wh.load(EVENTS));
    lifecycle();
    assertEqualsFullRecompute();
  }

  private static void retainLastOne(Table table) {
    table.refresh();
    table.expireSnapshots().expireOlderThan(Long.MAX_VALUE).retainLast(1).commit();
  }

  /**
   * Compacts a keyed table as a maintenance job does: its live rows (deletes applied) into one
   * file, replacing every data and delete file.
   */
  private static void compact(Table table) {
    table.refresh();
    List<Record> rows = new ArrayList<>();
    List<DataFile> data = new ArrayList<>();
    List<DeleteFile> deletes = new ArrayList<>();
    Set<String> deletePaths = new HashSet<>();
    try (CloseableIterable<Record> live = IcebergGenerics.read(table).build();
        CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      live.forEach(r -> rows.add(r.copy()));
      for (FileScanTask t : tasks) {
        data.add(t.file());
        for (DeleteFile d : t.deletes()) {
          if (deletePaths.add(d.path().toString())) {
            deletes.add(d);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    GenericAppenderFactory factory = new GenericAppenderFactory(table.schema(), table.spec());
    OutputFileFactory out =
        OutputFileFactory.builderFor(table, 7, 7).format(FileFormat.PARQUET).build();
    DataWriter<Record> writer =
        factory.newDataWriter(out.newOutputFile(), FileFormat.PARQUET, null);
    try (DataWriter<Record> w = writer) {
      rows.forEach(w::write);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RewriteFiles rewrite =
        table.newRewrite().validateFromSnapshot(table.currentSnapshot().snapshotId());
    data.forEach(rewrite::deleteFile);
    deletes.forEach(rewrite::deleteFile);
    rewrite.addFile(writer.toDataFile());
    rewrite.commit();
  }
}
