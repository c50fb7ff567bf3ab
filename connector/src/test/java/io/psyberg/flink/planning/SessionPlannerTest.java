package io.psyberg.flink.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.testutils.RecordingFileIO;
import io.psyberg.flink.testutils.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionPlannerTest {
  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);

  @TempDir Path dir;
  private Warehouse wh;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createEventsTable("membership.events");
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  private SessionSettings settings(
      NonAppendSnapshots nonAppend, OnLostHighWatermark lost, int cap) {
    return SessionSettings.builder("p1")
        .sourceTables(List.of("membership.events"))
        .nonAppendSnapshots(nonAppend)
        .onLostHighWatermark(lost)
        .maxSnapshotsPerSession(cap)
        .changeRangeColumn("event_ts")
        .build();
  }

  /** The same warehouse through a FileIO that records every file opened. */
  private Catalog recordingCatalog() {
    return CatalogSpec.fromOptions(
            Map.of(
                "warehouse",
                wh.spec().warehouse(),
                "catalog.io-impl",
                RecordingFileIO.class.getName()),
            Map.of(),
            "test")
        .open();
  }

  private SessionPlan plan(Map<String, Long> positions) {
    return new SessionPlanner(
            wh.catalog(), settings(NonAppendSnapshots.FAIL, OnLostHighWatermark.FAIL, 0))
        .plan("s", "job", positions);
  }

  @Test
  void plansEverySnapshotAfterTheHighWatermarkWithCountsAndChangeRange() {
    long s1 = wh.append("membership.events", Warehouse.events("a", 3, DAY1));
    wh.append("membership.events", Warehouse.events("b", 2, DAY1.plusDays(1)));
    long s3 = wh.append("membership.events", Warehouse.events("c", 4, DAY1.plusDays(2)));

    SourceRange first = plan(Map.of()).session().range("membership.events");
    assertThat(first.fromSnapshotId()).isNull();
    assertThat(first.toSnapshotId()).isEqualTo(s3);
    assertThat(first.snapshotCount()).isEqualTo(3);
    assertThat(first.recordCount()).isEqualTo(9);
    assertThat(first.dataFileCount()).isEqualTo(3);
    assertThat(first.changeRange().min()).isEqualTo("2026-01-01T08:00:00.000000");
    assertThat(first.changeRange().max()).isEqualTo("2026-01-03T08:03:00.000000");

    // Nothing new after s3.
    SessionPlan nothing = plan(Map.of("membership.events", s3));
    assertThat(nothing.session().hasNewSnapshots()).isFalse();
    assertThat(nothing.snapshots()).isEmpty();

    // Two more appends, one of late events: exactly those two, with the late minimum.
    wh.append("membership.events", Warehouse.events("d", 2, DAY1.plusDays(3)));
    long s5 = wh.append("membership.events", Warehouse.events("late", 1, DAY1.minusDays(5)));
    SessionPlan next = plan(Map.of("membership.events", s3));
    SourceRange r = next.session().range("membership.events");
    assertThat(r.fromSnapshotId()).isEqualTo(s3);
    assertThat(r.toSnapshotId()).isEqualTo(s5);
    assertThat(r.snapshotCount()).isEqualTo(2);
    assertThat(r.recordCount()).isEqualTo(3);
    assertThat(r.changeRange().min()).isEqualTo("2025-12-27T08:00:00.000000");
    assertThat(r.changeRange().max()).isEqualTo("2026-01-04T08:01:00.000000");
    assertThat(next.snapshots())
        .extracting(PlannedSnapshot::snapshotId)
        .hasSize(2)
        .last()
        .isEqualTo(s5);
    assertThat(s1).isNotEqualTo(s3);
  }

  @Test
  void largeRangesAreReadInParallelAndKeptInOrder() {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(wh.append("membership.events", Warehouse.events("p" + i, i + 1, DAY1.plusHours(i))));
    }
    SessionPlan plan = plan(Map.of());
    assertThat(plan.snapshots())
        .extracting(PlannedSnapshot::snapshotId)
        .containsExactlyElementsOf(ids);
    assertThat(plan.snapshots())
        .extracting(p -> p.files().get(0).recordCount())
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 20).boxed().toList());
    assertThat(plan.session().recordCount()).isEqualTo(210);
  }

  @Test
  void readsOneManifestListForARangeOfFastAppends() {
    Catalog catalog = recordingCatalog();
    Table t = wh.load("membership.events");
    long hwm = wh.append("membership.events", Warehouse.events("old", 1, DAY1));
    for (int i = 0; i < 12; i++) {
      t.newFastAppend()
          .appendFile(wh.writeFile(t, Warehouse.events("f" + i, 2, DAY1.plusHours(i))))
          .commit();
    }
    RecordingFileIO.OPENED.clear();
    SessionPlan plan =
        new SessionPlanner(catalog, settings(NonAppendSnapshots.FAIL, OnLostHighWatermark.FAIL, 0))
            .plan("s", "j", Map.of("membership.events", hwm));
    assertThat(plan.session().recordCount()).isEqualTo(24);
    assertThat(plan.snapshots()).hasSize(12).allMatch(p -> p.files().size() == 1);
    // One manifest list (the range end's) and one manifest per new snapshot.
    assertThat(RecordingFileIO.OPENED.stream().filter(p -> p.contains("/snap-")).count())
        .isEqualTo(1);
    assertThat(RecordingFileIO.OPENED.stream().filter(p -> p.endsWith("-m0.avro")).count())
        .isEqualTo(12);
  }

  @Test
  void findsTheAddedFilesOfSnapshotsWhoseManifestsWereMergedLater() {
    Table t = wh.load("membership.events");
    t.updateProperties().set("commit.manifest.min-count-to-merge", "3").commit();
    long hwm = wh.append("membership.events", Warehouse.events("old", 1, DAY1));
    Map<Long, Long> expectedRows = new LinkedHashMap<>();
    for (int i = 0; i < 10; i++) {
      // Every third commit merges earlier manifests: the files added before it move into its
      // manifest.
      long id = wh.append("membership.events", Warehouse.events("m" + i, i + 1, DAY1.plusHours(i)));
      expectedRows.put(id, (long) i + 1);
    }
    t.refresh();
    long icebergFiles = 0;
    try (CloseableIterable<FileScanTask> tasks =
        t.newIncrementalAppendScan().fromSnapshotExclusive(hwm).planFiles()) {
      for (FileScanTask task : tasks) {
        icebergFiles++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SessionPlan plan = plan(Map.of("membership.events", hwm));
    assertThat(plan.snapshots())
        .extracting(PlannedSnapshot::snapshotId)
        .containsExactlyElementsOf(expectedRows.keySet());
    assertThat(plan.snapshots())
        .extracting(p -> p.files().stream().mapToLong(f -> f.recordCount()).sum())
        .containsExactlyElementsOf(expectedRows.values());
    assertThat(plan.session().range("membership.events").dataFileCount())
        .isEqualTo(icebergFiles)
        .isEqualTo(10);
    assertThat(plan.session().recordCount()).isEqualTo(55);
  }

  /**
   * With every commit merging the earlier manifests (as merging appends do once enough pile up),
   * each new snapshot's own manifest list names one merged manifest holding the whole history: the
   * files are found by their file sequence number in the range end's manifests instead, one
   * manifest list and one manifest in all.
   */
  @Test
  void readsTheMergedManifestsOnceForARangeOfMergedAppends() {
    Catalog catalog = recordingCatalog();
    Table t = wh.load("membership.events");
    t.updateProperties().set("commit.manifest.min-count-to-merge", "2").commit();
    long hwm = wh.append("membership.events", Warehouse.events("old", 1, DAY1));
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ids.add(wh.append("membership.events", Warehouse.events("m" + i, i + 1, DAY1.plusHours(i))));
    }
    RecordingFileIO.OPENED.clear();
    SessionPlan plan =
        new SessionPlanner(catalog, settings(NonAppendSnapshots.FAIL, OnLostHighWatermark.FAIL, 0))
            .plan("s", "j", Map.of("membership.events", hwm));
    assertThat(plan.snapshots())
        .extracting(PlannedSnapshot::snapshotId)
        .containsExactlyElementsOf(ids);
    assertThat(plan.snapshots())
        .extracting(p -> p.files().stream().mapToLong(f -> f.recordCount()).sum())
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 12).boxed().toList());
    assertThat(RecordingFileIO.OPENED.stream().filter(p -> p.contains("/snap-")).count())
        .isEqualTo(1);
    // The end's merged manifest: once for the snapshots merged into it, once for its own file.
    assertThat(
            RecordingFileIO.OPENED.stream()
                .filter(p -> p.endsWith(".avro") && !p.contains("/snap-"))
                .count())
        .isLessThanOrEqualTo(2);
  }

  @Test
  void capsASessionAtMaxSnapshots() {
    long s1 = wh.append("membership.events", Warehouse.events("a", 1, DAY1));
    long s2 = wh.append("membership.events", Warehouse.events("b", 1, DAY1));
    wh.append("membership.events", Warehouse.events("c", 1, DAY1));
    SessionPlan capped =
        new SessionPlanner(
                wh.catalog(), settings(NonAppendSnapshots.FAIL, OnLostHighWatermark.FAIL, 2))
            .plan("s", "job", Map.of());
    assertThat(capped.capped()).isTrue();
    assertThat(capped.session().range("membership.events").toSnapshotId()).isEqualTo(s2);
    assertThat(capped.snapshots()).extracting(PlannedSnapshot::snapshotId).containsExactly(s1, s2);
  }

  @Test
  void overwriteSnapshotFailsByDefaultAndIsCountedWhenSkipped() {
    long s1 = wh.append("membership.events", Warehouse.events("a", 2, DAY1));
    Table t = wh.load("membership.events");
    DataFile old = t.currentSnapshot().addedDataFiles(t.io()).iterator().next();
    t.newOverwrite()
        .deleteFile(old)
        .addFile(wh.writeFile(t, Warehouse.events("o", 1, DAY1)))
        .commit();
    long overwrite = t.currentSnapshot().snapshotId();
    wh.append("membership.events", Warehouse.events("b", 1, DAY1));

    assertThatThrownBy(() -> plan(Map.of("membership.events", s1)))
        .isInstanceOf(PsybergException.class)
        .hasMessageContaining("p1")
        .hasMessageContaining("membership.events")
        .hasMessageContaining("'overwrite' snapshot " + overwrite)
        .hasMessageContaining("'non-append-snapshots' = 'skip'");

    SessionPlan skipped =
        new SessionPlanner(
                wh.catalog(), settings(NonAppendSnapshots.SKIP, OnLostHighWatermark.FAIL, 0))
            .plan("s", "job", Map.of("membership.events", s1));
    SourceRange r = skipped.session().range("membership.events");
    assertThat(r.skippedSnapshotCount()).isEqualTo(1);
    assertThat(r.snapshotCount()).isEqualTo(2);
    assertThat(r.recordCount()).isEqualTo(1);
  }

  @Test
  void replaceSnapshotsAreSkippedSilently() {
    long s1 = wh.append("membership.events", Warehouse.events("a", 2, DAY1));
    Table t = wh.load("membership.events");
    DataFile old = t.currentSnapshot().addedDataFiles(t.io()).iterator().next();
    t.newRewrite()
        .rewriteFiles(Set.of(old), Set.of(wh.writeFile(t, Warehouse.events("a", 2, DAY1))))
        .commit();
    SourceRange r = plan(Map.of("membership.events", s1)).session().range("membership.events");
    assertThat(r.snapshotCount()).isEqualTo(1);
    assertThat(r.skippedSnapshotCount()).isZero();
    assertThat(r.recordCount()).isZero();
  }

  @Test
  void lostHighWatermarkFailsClearlyOrRestartsFromEarliest() {
    long s1 = wh.append("membership.events", Warehouse.events("a", 2, DAY1));
    long s2 = wh.append("membership.events", Warehouse.events("b", 2, DAY1));
    wh.append("membership.events", Warehouse.events("c", 2, DAY1));
    Table t = wh.load("membership.events");
    t.expireSnapshots().expireSnapshotId(s1).expireSnapshotId(s2).commit();

    assertThatThrownBy(() -> plan(Map.of("membership.events", s1)))
        .isInstanceOf(PsybergException.class)
        .hasMessageContaining("snapshot " + s1)
        .hasMessageContaining("expired")
        .hasMessageContaining("'on-lost-hwm' = 'reprocess-by-key'")
        .hasMessageContaining("'on-lost-hwm' = 'earliest'");

    SessionPlan fromEarliest =
        new SessionPlanner(
                wh.catalog(), settings(NonAppendSnapshots.FAIL, OnLostHighWatermark.EARLIEST, 0))
            .plan("s", "job", Map.of("membership.events", s1));
    // Every live row, also those of the expired snapshots (their files are still live).
    assertThat(fromEarliest.session().range("membership.events").snapshotCount()).isEqualTo(1);
    assertThat(fromEarliest.session().range("membership.events").recordCount()).isEqualTo(6);
  }

  @Test
  void missingSourceTableNamesProcessAndTable() {
    SessionSettings s =
        SessionSettings.builder("p1").sourceTables(List.of("membership.nope")).build();
    assertThatThrownBy(() -> new SessionPlanner(wh.catalog(), s).plan("s", "j", Map.of()))
        .hasMessageContaining("p1")
        .hasMessageContaining("membership.nope")
        .hasMessageContaining("does not exist");
  }

  @Test
  void startFromLatestSnapshotAndTimestamp() throws Exception {
    long s1 = wh.append("membership.events", Warehouse.events("a", 1, DAY1));
    long t1 = wh.load("membership.events").snapshot(s1).timestampMillis();
    // The next snapshot must get a later commit time than s1.
    CommonTestUtils.waitUntilCondition(() -> System.currentTimeMillis() > t1, 1L);
    long s2 = wh.append("membership.events", Warehouse.events("b", 1, DAY1));
    long t2 = wh.load("membership.events").snapshot(s2).timestampMillis();
    long s3 = wh.append("membership.events", Warehouse.events("c", 1, DAY1));

    assertThat(planFrom(StartFrom.LATEST).fromSnapshotId()).isEqualTo(s3);
    assertThat(planFrom(StartFrom.LATEST).advances()).isFalse();
    SourceRange fromS2 = planFrom(StartFrom.snapshot(s2));
    assertThat(fromS2.fromSnapshotId()).isEqualTo(s1);
    assertThat(fromS2.snapshotCount()).isEqualTo(2);
    SourceRange fromT2 = planFrom(StartFrom.timestamp(Instant.ofEpochMilli(t2)));
    assertThat(fromT2.fromSnapshotId()).isEqualTo(s1);
    assertThatThrownBy(() -> planFrom(StartFrom.snapshot(42L))).hasMessageContaining("start-from");
  }

  private SourceRange planFrom(StartFrom start) {
    SessionSettings s =
        SessionSettings.builder("p1")
            .sourceTables(List.of("membership.events"))
            .startFrom(start)
            .build();
    return new SessionPlanner(wh.catalog(), s)
        .plan("s", "j", new HashMap<>())
        .session()
        .range("membership.events");
  }

  @Test
  void planningOpensNoDataFile() {
    Catalog catalog = recordingCatalog();
    for (int i = 0; i < 5; i++) {
      wh.append("membership.events", Warehouse.events("x" + i, 10, DAY1));
    }
    RecordingFileIO.OPENED.clear();
    SessionPlan plan =
        new SessionPlanner(catalog, settings(NonAppendSnapshots.FAIL, OnLostHighWatermark.FAIL, 0))
            .plan("s", "j", Map.of());
    assertThat(plan.session().recordCount()).isEqualTo(50);
    assertThat(RecordingFileIO.OPENED).isNotEmpty();
    assertThat(RecordingFileIO.OPENED).noneMatch(p -> p.endsWith(".parquet"));
    assertThat(RecordingFileIO.OPENED).allMatch(p -> p.contains("/metadata/"));
  }
}
