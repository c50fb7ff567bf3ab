package io.psyberg.flink.examples.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.sink.audit.AuditContext;
import io.psyberg.flink.sink.audit.AuditResult;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contiguity audit on a real, month-partitioned {@code account_lifecycle}: a first publish is
 * checked whole; a later one from the earliest segment it writes on, which is where it finds a gap
 * it made, while an old gap of an untouched stretch is not read.
 */
class LifecycleContiguityAuditTest {
  private static final LocalDateTime T0 = LocalDateTime.of(2026, 1, 1, 0, 0);

  @TempDir Path dir;

  @Test
  void checksTheWholeFirstPublishAndALaterOneFromItsEarliestSegment() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      Table table =
          LifecycleTables.ensure(wh.catalog(), "facts.lifecycle", LifecycleTables.LIFECYCLE);
      assertThat(table.spec().isPartitioned()).isTrue();
      // Sorted by valid_to, so that compaction writes a file per day of it.
      assertThat(table.sortOrder().fields()).hasSize(1);
      assertThat(table.schema().findColumnName(table.sortOrder().fields().get(0).sourceId()))
          .isEqualTo("valid_to");
      // Small Parquet pages: unique columns stop being dictionary-encoded after the first.
      assertThat(table.properties()).containsEntry(TableProperties.PARQUET_PAGE_ROW_LIMIT, "2000");

      // First publish: account 1 contiguous over three months, account 2 with a gap.
      List<DataFile> first =
          wh.writeFiles(
              table,
              List.of(
                  segment(1, 1, T0, T0.plusMonths(1)),
                  segment(1, 2, T0.plusMonths(1), T0.plusMonths(2)),
                  segment(1, 3, T0.plusMonths(2), null),
                  segment(2, 1, T0, T0.plusDays(3)),
                  segment(2, 2, T0.plusDays(4), null)));
      AuditResult whole = audit(wh, table, first, List.of(), null);
      assertThat(whole.passed()).isFalse();
      assertThat(whole.observed()).contains("account 2").doesNotContain("account 1:");

      // Publish the first files regardless, then a session that only adds account 1's segment 4
      // (closing 3): account 2's old gap lies outside what it touches, and account 1 is contiguous.
      Long published = table.currentSnapshot().snapshotId();
      List<DataFile> second =
          wh.writeFiles(
              table,
              List.of(
                  segment(1, 3, T0.plusMonths(2), T0.plusMonths(3)),
                  segment(1, 4, T0.plusMonths(3), null)));
      // The old open segment 3 is deleted in its partition, as a retract sink does.
      DeleteFile closed = deleteKey(table, segment(1, 3, T0.plusMonths(2), null));
      AuditResult later = audit(wh, table, second, List.of(closed), published);
      assertThat(later.passed()).as(later.observed()).isTrue();
      assertThat(later.observed())
          .isEqualTo(
              "1 accounts contiguous (read: open segments and those closed from 2026-04-01T00:00)");

      // A later session that leaves a gap in what it writes fails.
      List<DataFile> broken =
          wh.writeFiles(table, List.of(segment(1, 5, T0.plusMonths(3).plusDays(2), null)));
      AuditResult gap = audit(wh, table, broken, List.of(), table.currentSnapshot().snapshotId());
      assertThat(gap.passed()).isFalse();
      assertThat(gap.observed()).contains("account 1");
    }
  }

  /**
   * A base every case below builds on, published as it is: account 1 with segment 1 (January 1 to
   * 20, overlapping segment 2: an old broken link) and segment 2 open since January 10; account 2
   * open since January 1.
   */
  private static Table base(Warehouse wh, String name) throws Exception {
    Table table = LifecycleTables.ensure(wh.catalog(), name, LifecycleTables.LIFECYCLE);
    audit(
        wh,
        table,
        wh.writeFiles(
            table,
            List.of(
                segment(1, 1, T0, T0.plusDays(19)),
                segment(1, 2, T0.plusDays(9), null),
                segment(2, 1, T0, null))),
        List.of(),
        null);
    return table;
  }

  /** Account 1's segment 2 closed on April 5 and its segment 3 opened then: a correct session. */
  private static List<Record> closeAccountOneInApril() {
    return List.of(
        segment(1, 2, T0.plusDays(9), T0.plusMonths(3).plusDays(4)),
        segment(1, 3, T0.plusMonths(3).plusDays(4), null));
  }

  /**
   * Audits a session on {@code base} that replaces account 1's open segment 2 with {@code rows}
   * (staged on the published base).
   */
  private static AuditResult rewriteAccountOne(Warehouse wh, Table table, List<Record> rows)
      throws Exception {
    return audit(
        wh,
        table,
        wh.writeFiles(table, rows),
        List.of(deleteKey(table, segment(1, 2, T0.plusDays(9), null))),
        table.currentSnapshot().snapshotId());
  }

  @Test
  void firstPublishOfManyAccountsAcrossFilesNamesEveryBrokenOneOnce() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      Table table =
          LifecycleTables.ensure(wh.catalog(), "facts.lifecycle", LifecycleTables.LIFECYCLE);
      // 600 accounts of four segments over four months, written as two writers would: each file
      // holds half of the accounts' rows of a month, so every account spans several files.
      List<List<Record>> writers = List.of(new ArrayList<>(), new ArrayList<>());
      for (long account = 1; account <= 600; account++) {
        for (int no = 1; no <= 4; no++) {
          LocalDateTime from = T0.plusMonths(no - 1);
          LocalDateTime to = no == 4 ? null : T0.plusMonths(no);
          if (account % 100 == 7 && no == 3) {
            from = from.plusDays(1); // a gap before segment 3
          }
          if (account % 100 == 8 && no == 2) {
            continue; // segment 2 missing
          }
          writers.get((int) (account % 2)).add(segment(account, no, from, to));
        }
      }
      List<DataFile> files = new ArrayList<>();
      for (List<Record> rows : writers) {
        files.addAll(wh.writeFiles(table, rows));
      }
      assertThat(files).hasSizeGreaterThan(4);
      AuditResult result = audit(wh, table, files, List.of(), null);
      assertThat(result.passed()).isFalse();
      assertThat(result.observed())
          .startsWith("12 broken accounts, e.g. [account 7: segment 2 ends at")
          .contains("account 8: segment numbers are not consecutive from 1")
          .contains("account 107: ");
    }
  }

  @Test
  void laterPublishIsReadFromTheMonthsItChangesNotFromWhereARewrittenSegmentOpened()
      throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      Table table = base(wh, "facts.window");
      // Segment 2 opened in January; the session writes April and the open segments. The old
      // overlap of segments 1 and 2 (January) is not read: the audit covered it when it was
      // written, and nothing before April changed.
      AuditResult result = rewriteAccountOne(wh, table, closeAccountOneInApril());
      assertThat(result.passed()).as(result.observed()).isTrue();
      // Within April, from the earliest closing it writes (the 5th): every row it deletes closes
      // there or later, so April's files that close earlier are pruned by their bounds.
      assertThat(result.observed())
          .isEqualTo(
              "1 accounts contiguous (read: open segments and those closed from 2026-04-05T00:00)");
    }
  }

  @Test
  void deletedRowClosingBeforeTheEarliestWrittenClosingWidensTheReadToItsMonth() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      Table table = base(wh, "facts.before");
      // Account 4: segment 1 closes on April 2, segment 2 on April 3, segment 3 is open.
      audit(
          wh,
          table,
          wh.writeFiles(
              table,
              List.of(
                  segment(4, 1, T0, T0.plusMonths(3).plusDays(1)),
                  segment(4, 2, T0.plusMonths(3).plusDays(1), T0.plusMonths(3).plusDays(2)),
                  segment(4, 3, T0.plusMonths(3).plusDays(2), null))),
          List.of(),
          table.currentSnapshot().snapshotId());
      long parent = table.currentSnapshot().snapshotId();
      // The session closes segment 3 on April 6 and opens segment 4, but also deletes segment 1
      // (closed April 2, before anything it writes closes): the account is left starting at 2.
      AuditResult result =
          audit(
              wh,
              table,
              wh.writeFiles(
                  table,
                  List.of(
                      segment(4, 3, T0.plusMonths(3).plusDays(2), T0.plusMonths(3).plusDays(5)),
                      segment(4, 4, T0.plusMonths(3).plusDays(5), null))),
              List.of(
                  deleteKey(table, segment(4, 3, T0.plusMonths(3).plusDays(2), null)),
                  deleteKey(table, segment(4, 1, T0, T0.plusMonths(3).plusDays(1)))),
              parent);
      assertThat(result.passed()).isFalse();
      assertThat(result.observed())
          .isEqualTo(
              "1 broken accounts, e.g. [account 4: segments start at 2 and the account has no"
                  + " earlier segment]");
    }
  }

  @Test
  void rewrittenSegmentThatNoLongerOpensWhereTheUnchangedOnesEndFails() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      Table table = base(wh, "facts.moved");
      // Segment 2 now opens on January 12: its predecessor (in January, not read) ends on the 10th.
      AuditResult result =
          rewriteAccountOne(
              wh,
              table,
              List.of(
                  segment(1, 2, T0.plusDays(11), T0.plusMonths(3).plusDays(4)),
                  segment(1, 3, T0.plusMonths(3).plusDays(4), null)));
      assertThat(result.passed()).isFalse();
      assertThat(result.observed())
          .contains(
              "account 1: the segments it can have changed start at segment 2 opening at"
                  + " 2026-01-12")
          .contains("segment 2 opens at 2026-01-10");
    }
  }

  @Test
  void segmentNumberedAgainOverTheUnchangedOnesFails() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      Table table = base(wh, "facts.renumbered");
      // Account 1 written again from segment 1 in April and the open segments, while its January
      // segment 1 stays: two segments 1.
      AuditResult result =
          rewriteAccountOne(
              wh,
              table,
              List.of(
                  segment(1, 1, T0.plusDays(9), T0.plusMonths(3).plusDays(4)),
                  segment(1, 2, T0.plusMonths(3).plusDays(4), null)));
      assertThat(result.passed()).isFalse();
      assertThat(result.observed())
          .contains("account 1: the segments it can have changed start at segment 1");
    }
  }

  @Test
  void accountWrittenFromItsFirstSegmentMayOpenItElsewhereButANewOneMustStartAtOne()
      throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      Table table = base(wh, "facts.first");
      long parent = table.currentSnapshot().snapshotId();
      // Account 2 had no segment before the window: a late signup moves its first opening.
      List<Record> rows = new java.util.ArrayList<>(closeAccountOneInApril());
      rows.add(segment(2, 1, T0.minusDays(3), T0.plusMonths(3).plusDays(1)));
      rows.add(segment(2, 2, T0.plusMonths(3).plusDays(1), null));
      AuditResult rewritten =
          audit(
              wh,
              table,
              wh.writeFiles(table, rows),
              List.of(
                  deleteKey(table, segment(1, 2, T0.plusDays(9), null)),
                  deleteKey(table, segment(2, 1, T0, null))),
              parent);
      assertThat(rewritten.passed()).as(rewritten.observed()).isTrue();
      assertThat(rewritten.observed())
          .isEqualTo(
              "2 accounts contiguous (read: open segments and those closed from 2026-04-02T00:00)");

      // A new account whose segments start at 2.
      AuditResult fresh =
          audit(
              wh,
              table,
              wh.writeFiles(table, List.of(segment(3, 2, T0.plusMonths(3), null))),
              List.of(),
              table.currentSnapshot().snapshotId());
      assertThat(fresh.passed()).isFalse();
      assertThat(fresh.observed())
          .contains("account 3: segments start at 2 and the account has no earlier segment");
    }
  }

  @Test
  void deletingAnOldSegmentWidensTheWindowToItsMonthAndAnAccountLeftWithoutSegmentsFails()
      throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      Table table = base(wh, "facts.deleted");
      long parent = table.currentSnapshot().snapshotId();
      // The session removes account 1's January segment 1 and account 2's only segment, and
      // writes nothing for either: both are named by the deletes alone.
      AuditResult result =
          audit(
              wh,
              table,
              List.of(),
              List.of(
                  deleteKey(table, segment(1, 1, T0, T0.plusDays(19))),
                  deleteKey(table, segment(2, 1, T0, null))),
              parent);
      assertThat(result.passed()).isFalse();
      assertThat(result.observed())
          .contains("account 1: segments start at 2 and the account has no earlier segment")
          .contains("account 2: no current segment");
    }
  }

  /**
   * Audits a session on {@code base} that closes account 2's segment 1 on April 3 and opens its
   * segment 2 then, retracting the open segment with {@code delete}.
   */
  private static AuditResult closeAccountTwoInApril(Warehouse wh, Table table, DeleteFile delete)
      throws Exception {
    return audit(
        wh,
        table,
        wh.writeFiles(
            table,
            List.of(
                segment(2, 1, T0, T0.plusMonths(3).plusDays(2)),
                segment(2, 2, T0.plusMonths(3).plusDays(2), null))),
        List.of(delete),
        table.currentSnapshot().snapshotId());
  }

  @Test
  void retractionInAnotherPartitionThanItsRowRemovesNothingAndTheRowItLeftIsSeen()
      throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      Table table = base(wh, "facts.stale");
      // The open segment retracted as if it had closed in April: the delete lands in April's
      // partition and, as Iceberg applies it, removes nothing; the open row stays beside the
      // rewritten one.
      AuditResult result =
          closeAccountTwoInApril(
              wh, table, deleteKey(table, segment(2, 1, T0, T0.plusMonths(3).plusDays(9))));
      assertThat(result.passed()).isFalse();
      assertThat(result.observed()).contains("account 2: segment 1 appears twice");
    }
  }

  @Test
  void deletesNotByKeyAreReadFromTheStagedSnapshot() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      Table table = base(wh, "facts.byaccount");
      // A delete of every open row of account 2 (by account, not by key): the staged snapshot is
      // read as Iceberg applies it.
      AuditResult result =
          closeAccountTwoInApril(wh, table, delete(table, segment(2, 1, T0, null), "account_id"));
      assertThat(result.passed()).as(result.observed()).isTrue();
      assertThat(result.observed())
          .isEqualTo(
              "1 accounts contiguous (read: open segments and those closed from 2026-04-01T00:00)");
    }
  }

  /** Commits the files (as staging does) and audits that snapshot. */
  private static AuditResult audit(
      Warehouse wh, Table table, List<DataFile> files, List<DeleteFile> deletes, Long parent)
      throws Exception {
    RowDelta delta = table.newRowDelta();
    files.forEach(delta::addRows);
    deletes.forEach(delta::addDeletes);
    delta.commit();
    table.refresh();
    Snapshot staged = table.currentSnapshot();
    Session session =
        Session.builder()
            .sessionId("s")
            .processName("lifecycle")
            .mode("bounded")
            .jobId("j")
            .targetTable("facts.lifecycle")
            .status(SessionStatus.PLANNED)
            .startedAt(Instant.parse("2026-01-01T00:00:00Z"))
            .build();
    return new LifecycleContiguityAudit()
        .run(
            new AuditContext(
                wh.catalog(), table, staged, parent, files, deletes, session, WriteMode.RETRACT));
  }

  private static DeleteFile deleteKey(Table table, Record old) throws Exception {
    return delete(table, old, "account_id", "segment_no");
  }

  /** An equality delete on {@code columns} of {@code old}, in {@code old}'s partition. */
  private static DeleteFile delete(Table table, Record old, String... columns) throws Exception {
    Schema key = table.schema().select(columns);
    int[] ids = key.columns().stream().mapToInt(Types.NestedField::fieldId).toArray();
    GenericAppenderFactory factory =
        new GenericAppenderFactory(table.schema(), table.spec(), ids, key, null);
    PartitionKey partition = new PartitionKey(table.spec(), table.schema());
    partition.partition(new InternalRecordWrapper(table.schema().asStruct()).wrap(old));
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 1, 99).format(FileFormat.PARQUET).build();
    EqualityDeleteWriter<Record> writer =
        factory.newEqDeleteWriter(
            files.newOutputFile(table.spec(), partition), FileFormat.PARQUET, partition);
    try (EqualityDeleteWriter<Record> w = writer) {
      Record k = GenericRecord.create(key);
      for (String column : columns) {
        k.setField(column, old.getField(column));
      }
      w.write(k);
    }
    return writer.toDeleteFile();
  }

  private static Record segment(long account, int no, LocalDateTime from, LocalDateTime to) {
    Record r = GenericRecord.create(LifecycleTables.LIFECYCLE);
    r.setField("account_id", account);
    r.setField("segment_no", no);
    r.setField("state", "ACTIVE");
    r.setField("plan", "basic");
    r.setField("valid_from", from);
    r.setField("valid_to", to);
    r.setField("opened_by_event_id", account + "-" + no);
    return r;
  }
}
