package io.psyberg.flink.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.util.DateTimeUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backfill branch and its publish on a real keyed table. */
class BackfillBranchTest {
  private static final Schema KEYED =
      new Schema(Warehouse.EVENTS.columns(), Set.of(1)); // event_id is the key
  private static final LocalDateTime DAY1 = LocalDateTime.parse("2026-01-01T00:00:00");
  private static final LocalDateTime DAY2 = LocalDateTime.parse("2026-01-02T00:00:00");
  private static final LocalDateTime DAY3 = LocalDateTime.parse("2026-01-03T00:00:00");
  private static final Expression DAY2_RANGE =
      Expressions.and(
          Expressions.greaterThanOrEqual("event_ts", DateTimeUtil.microsFromTimestamp(DAY2)),
          Expressions.lessThan("event_ts", DateTimeUtil.microsFromTimestamp(DAY3)));

  @TempDir Path dir;
  private Warehouse wh;
  private Table target;

  @BeforeEach
  void open() {
    wh = new Warehouse(dir);
    wh.catalog()
        .createTable(
            TableIdentifier.parse("db.t"),
            KEYED,
            PartitionSpec.unpartitioned(),
            Map.of(TableProperties.FORMAT_VERSION, "2"));
    target = wh.load("db.t");
  }

  @AfterEach
  void close() throws Exception {
    wh.close();
  }

  @Test
  void propertiesGivenAtCreationAreFoundAgainAfterChunks() {
    wh.append("db.t", Warehouse.events("a", 2, DAY1));
    BackfillBranch.create(target, "p1", Map.of("sql-script", "/scripts/fix.sql"));
    commit("p1", 0, fixed(Warehouse.events("a", 1, DAY1)));
    assertThat(BackfillBranch.property(target, "p1", "sql-script")).contains("/scripts/fix.sql");
    assertThat(BackfillBranch.property(target, "p1", "other")).isEmpty();
    assertThat(BackfillBranch.committedChunks(target, "p1")).containsExactly(0);
    // creating it again changes nothing; a branch that does not exist has no properties
    BackfillBranch.create(target, "p1", Map.of("sql-script", "/elsewhere.sql"));
    assertThat(BackfillBranch.property(target, "p1", "sql-script")).contains("/scripts/fix.sql");
    assertThat(BackfillBranch.property(target, "nope", "sql-script")).isEmpty();
  }

  @Test
  void chunksLandOnAnEmptyBranchAndPublishReplacesOnlyTheRange() {
    wh.append("db.t", Warehouse.events("a", 3, DAY1));
    wh.append("db.t", Warehouse.events("b", 4, DAY2));
    long mainBefore = wh.load("db.t").currentSnapshot().snapshotId();

    BackfillBranch.create(target, "x1");
    assertThat(BackfillBranch.rows(target, "x1", Expressions.alwaysTrue())).isEmpty();
    commit("x1", 0, fixed(Warehouse.events("b", 2, DAY2)));
    commit("x1", 1, fixed(Warehouse.events("c", 1, DAY2)));
    assertThat(BackfillBranch.committedChunks(target, "x1")).containsExactly(0, 1);
    assertThat(BackfillBranch.rowCount(target, "x1")).isEqualTo(3);
    assertThat(wh.load("db.t").currentSnapshot().snapshotId()).isEqualTo(mainBefore);

    BackfillPublish.publish(target, "x1", DAY2_RANGE, mainBefore);
    // Day 1 untouched; day 2 is exactly the branch's rows (b-2, b-3 gone, b-0/b-1 replaced).
    assertThat(ids(wh.rows("db.t"))).containsExactly("a-0", "a-1", "a-2", "b-0", "b-1", "c-0");
    assertThat(
            wh.rows("db.t").stream()
                .filter(r -> r.getField("event_id").toString().startsWith("b"))
                .map(r -> r.getField("plan")))
        .containsOnly("fixed");
    // A second publish is recognised and changes nothing.
    long published = wh.load("db.t").currentSnapshot().snapshotId();
    BackfillPublish.publish(target, "x1", DAY2_RANGE, mainBefore);
    assertThat(wh.load("db.t").currentSnapshot().snapshotId()).isEqualTo(published);
  }

  @Test
  void publishIsRefusedWhenTheRangeChangedOnMainSinceItWasRead() {
    wh.append("db.t", Warehouse.events("a", 2, DAY2));
    long read = wh.load("db.t").currentSnapshot().snapshotId();
    BackfillBranch.create(target, "x2");
    commit("x2", 0, fixed(Warehouse.events("a", 2, DAY2)));
    wh.append("db.t", Warehouse.events("late", 1, DAY2.plusHours(3)));
    List<String> before = ids(wh.rows("db.t"));

    assertThatThrownBy(() -> BackfillPublish.publish(target, "x2", DAY2_RANGE, read))
        .isInstanceOf(PsybergException.class)
        .hasMessageContaining("changed in the backfill's range")
        .hasMessageContaining("Nothing of it was published to");
    assertThat(ids(wh.rows("db.t"))).isEqualTo(before);

    // Changes outside the range do not block it.
    wh.append("db.t", Warehouse.events("d1", 1, DAY1));
    long now = wh.load("db.t").currentSnapshot().snapshotId();
    commit("x2", 1, fixed(Warehouse.events("late", 1, DAY2.plusHours(3))));
    wh.append("db.t", Warehouse.events("d3", 1, DAY1.plusHours(1)));
    BackfillPublish.publish(target, "x2", DAY2_RANGE, now);
    assertThat(ids(wh.rows("db.t"))).containsExactly("a-0", "a-1", "d1-0", "d3-0", "late-0");
  }

  @Test
  void droppingTheBranchLeavesMainAsItWas() {
    wh.append("db.t", Warehouse.events("a", 2, DAY2));
    long main = wh.load("db.t").currentSnapshot().snapshotId();
    BackfillBranch.create(target, "x3");
    commit("x3", 0, fixed(Warehouse.events("z", 5, DAY2)));
    BackfillBranch.drop(target, "x3");
    assertThat(wh.load("db.t").refs()).doesNotContainKey(BackfillBranch.name("x3"));
    assertThat(wh.load("db.t").currentSnapshot().snapshotId()).isEqualTo(main);
    assertThat(ids(wh.rows("db.t"))).containsExactly("a-0", "a-1");
  }

  @Test
  void aChunkBasedOnAStaleBranchHeadIsRefused() {
    BackfillBranch.create(target, "x4");
    long head = BackfillBranch.head(target, "x4");
    commit("x4", 0, Warehouse.events("a", 1, DAY2));
    assertThatThrownBy(
            () -> BackfillBranch.commitChunk(target, "x4", 0, Warehouse.events("a", 1, DAY2), head))
        .isInstanceOf(ValidationException.class);
    assertThat(BackfillBranch.committedChunks(target, "x4")).containsExactly(0);
    assertThat(BackfillBranch.rowCount(target, "x4")).isEqualTo(1);
  }

  @Test
  void aChunkOfABuildWhoseTableHandleIsStaleIsRefusedWhenAnotherBuildWroteTheBranch() {
    BackfillBranch.create(target, "x6");
    Table first = wh.load("db.t");
    Table second = wh.load("db.t");
    BackfillBranch.commitChunk(
        first, "x6", 0, Warehouse.events("a", 1, DAY2), BackfillBranch.head(first, "x6"));
    long firstSaw = first.refs().get(BackfillBranch.name("x6")).snapshotId();
    // another build (its own handle) commits chunk 1; the first build, not knowing, tries it too
    BackfillBranch.commitChunk(
        second, "x6", 1, Warehouse.events("b", 1, DAY2), BackfillBranch.head(second, "x6"));
    assertThatThrownBy(
            () ->
                BackfillBranch.commitChunk(
                    first, "x6", 1, Warehouse.events("b", 1, DAY2), firstSaw))
        .isInstanceOf(ValidationException.class);
    assertThat(BackfillBranch.rowCount(wh.load("db.t"), "x6")).isEqualTo(2);
  }

  @Test
  void aLargeChunkIsWrittenInSlicesSideBySideWithEveryRowOnce() {
    // two slices' worth of rows: written as one file per core (at most two), each row once
    int n = 2 * RowReplacement.ROWS_PER_SLICE + 7;
    List<Record> rows = Warehouse.events("big", n, DAY2);
    BackfillBranch.create(target, "x5");
    commit("x5", 0, rows);

    Table t = wh.load("db.t");
    long head = BackfillBranch.head(t, "x5");
    assertThat(t.snapshot(head).addedDataFiles(t.io()))
        .hasSize(Math.min(2, Runtime.getRuntime().availableProcessors()));
    assertThat(BackfillBranch.rowCount(t, "x5")).isEqualTo(n);
    List<Record> onBranch = BackfillBranch.rows(t, "x5", Expressions.alwaysTrue());
    assertThat(onBranch.stream().map(r -> r.getField("event_id").toString()).distinct().count())
        .isEqualTo(n);
    assertThat(onBranch).hasSize(n);
  }

  /** Commits a chunk on the branch as it is now. */
  private void commit(String id, int chunk, List<Record> rows) {
    BackfillBranch.commitChunk(target, id, chunk, rows, BackfillBranch.head(target, id));
  }

  private static List<Record> fixed(List<Record> rows) {
    rows.forEach(r -> r.setField("plan", "fixed"));
    return rows;
  }

  private static List<String> ids(List<Record> rows) {
    return rows.stream()
        .map(r -> r.getField("event_id").toString())
        .sorted()
        .collect(Collectors.toList());
  }
}
