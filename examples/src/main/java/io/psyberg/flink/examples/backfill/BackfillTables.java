package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.examples.sessions.TableBuilder;
import io.psyberg.flink.examples.sql.TablePrinter;
import io.psyberg.flink.examples.sql.ValueFormatter;
import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

/** Prints backfills and validation results as tables. */
final class BackfillTables {
  private BackfillTables() {}

  static void backfills(List<Backfill> backfills, PrintStream out) {
    TableBuilder table =
        new TableBuilder()
            .text("backfill_id")
            .text("process_name")
            .text("job")
            .text("range [from, to)")
            .text("status")
            .text("chunks")
            .number("rows_written")
            .text("validation")
            .text("started_at")
            .text("finished_at");
    for (Backfill b : backfills) {
      table.row(
          b.backfillId(),
          b.processName(),
          b.job(),
          new BackfillRange(b.rangeFrom(), b.rangeTo()).toString(),
          b.status().name(),
          b.chunksDone() + "/" + b.chunksTotal(),
          b.rowsWritten(),
          b.validation(),
          time(b.startedAt()),
          time(b.finishedAt()));
    }
    new TablePrinter(new ValueFormatter(ZoneOffset.UTC), false).print(table.build(), out);
    out.println(backfills.size() + (backfills.size() == 1 ? " backfill" : " backfills"));
  }

  static void comparisons(List<TargetComparison> targets, PrintStream out) {
    TableBuilder table =
        new TableBuilder()
            .text("target")
            .number("main_rows")
            .number("backfill_rows")
            .number("keys_added")
            .number("keys_removed")
            .number("keys_changed")
            .text("audits");
    for (TargetComparison t : targets) {
      table.row(
          t.target(),
          t.mainRows(),
          t.backfillRows(),
          t.added(),
          t.removed(),
          t.changed(),
          t.auditsPassed()
              ? "passed"
              : String.format(
                  "FAILED (%d nulls in NOT NULL columns, %d duplicate keys)",
                  t.nullViolations(), t.duplicateKeys()));
    }
    ValueFormatter values = new ValueFormatter(ZoneOffset.UTC);
    new TablePrinter(values, false).print(table.build(), out);
    TableBuilder sample = new TableBuilder().text("target").text("sample of differing rows");
    targets.forEach(t -> t.sample().forEach(s -> sample.row(t.target(), s)));
    new TablePrinter(values, false).print(sample.build(), out);
  }

  private static String time(Instant instant) {
    return instant == null
        ? null
        : ValueFormatter.timestamp(LocalDateTime.ofInstant(instant, ZoneOffset.UTC).withNano(0));
  }
}
