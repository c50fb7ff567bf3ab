package io.psyberg.flink.bench;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.TypeUtil;

/**
 * The session log's cost as history grows: psyberg's {@code SessionLog} (partitioned by process,
 * compacted, read and committed on the calling thread) against a plain Iceberg upsert table of the
 * same schema, written the same way (a data and an equality-delete file per update, Iceberg
 * defaults) and read with Iceberg's generic reader. Each session is recorded twice (PLANNED,
 * PUBLISHED) and read back by its job, as a bounded run's committer does; both tables are fed the
 * same sessions, interleaved, in one JVM.
 *
 * <p>It measures an internal step on purpose: {@code SessionLog.record} is {@code @Internal} (only
 * psyberg's source and sink record sessions, and no public entry point records one without running
 * a job per session); reads go through the public {@code SessionLog} API.
 */
final class SessionLogBenchmark {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -Xmx4g -jar psyberg-bench.jar sessionlog [options]",
          "",
          "Session log upsert and read cost at growing history: psyberg's SessionLog vs a plain"
              + " Iceberg upsert table.",
          "",
          "  --quick            history sizes 50,300 (default 50,500,1000; ~5 min)",
          "  --sessions LIST    history sizes (sessions) at which to measure",
          "  --measured M       sessions measured at each size (default 20)",
          "  --processes P      processes sharing the log (default 5)",
          "  --dir DIR          new or empty warehouse folder, kept (default: a temp folder,"
              + " deleted)",
          "  --keep             keep the temp warehouse",
          "  --help");

  private static final String NS = "psyberg";
  private static final TableIdentifier PLAIN = TableIdentifier.of("plain", "sessions");

  private record Row(
      int history,
      double psybergRecord,
      double plainRecord,
      double psybergRead,
      double plainRead) {}

  static Benchmark.Result run(String[] argv, PrintStream progress) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("sessions", "measured", "processes"), USAGE);
    if (args.help) {
      return Benchmark.Result.help(USAGE);
    }
    List<Integer> sizes = args.list("sessions", List.of(50, 300), List.of(50, 500, 1000));
    int measured = args.positive("measured", 20, 20);
    int processes = args.positive("processes", 5, 5);
    Path dir = args.warehouse("psyberg-bench-sessionlog");
    CatalogSpec spec = CatalogSpec.embedded(dir.toString());
    Catalog catalog = spec.open();
    long started = System.nanoTime();
    try {
      SessionLog log = new SessionLog(catalog, NS);
      // Reading creates the log table; the plain table gets its schema (and key).
      log.allSessions();
      ((SupportsNamespaces) catalog).createNamespace(Namespace.of("plain"));
      Table plain =
          catalog.createTable(
              PLAIN,
              catalog.loadTable(SessionLog.tableIdentifier(NS)).schema(),
              PartitionSpec.unpartitioned(),
              Map.of(TableProperties.FORMAT_VERSION, "2"));
      List<Row> rows = new ArrayList<>();
      List<String> errors = new ArrayList<>();
      int done = 0;
      for (int size : sizes) {
        for (; done < size; done++) {
          session(done, processes, log, plain, null);
        }
        double[] sums = new double[4];
        for (int i = 0; i < measured; i++, done++) {
          session(done, processes, log, plain, sums);
        }
        Row row =
            new Row(
                size,
                sums[0] / (2.0 * measured),
                sums[1] / (2.0 * measured),
                sums[2] / measured,
                sums[3] / measured);
        rows.add(row);
        progress.printf(
            Locale.ROOT,
            "  %,d sessions: record %.1f ms (plain %.1f), read %.1f ms (plain %.1f)%n",
            size,
            row.psybergRecord,
            row.plainRecord,
            row.psybergRead,
            row.plainRead);
      }
      int expected = done;
      if (log.allSessions().size() != expected
          || log.allSessions().stream().anyMatch(s -> s.status() != SessionStatus.PUBLISHED)) {
        errors.add("the session log does not hold " + expected + " PUBLISHED sessions");
      }
      String report =
          report(rows, measured, processes, (System.nanoTime() - started) / 1e9, errors);
      return errors.isEmpty()
          ? Benchmark.Result.ok(report)
          : Benchmark.Result.failed(report, String.join("; ", errors));
    } finally {
      CatalogSpec.closeQuietly(catalog);
      args.cleanUp(dir, progress);
    }
  }

  /** One session on both logs; adds record and read times to {@code sums} when given. */
  private static void session(int i, int processes, SessionLog log, Table plain, double[] sums) {
    String process = "process_" + (i % processes);
    String job = UUID.randomUUID().toString().replace("-", "");
    Session planned =
        Session.builder()
            .sessionId(String.format("s-%06d", i))
            .processName(process)
            .mode("bounded")
            .jobId(job)
            .targetTable("facts.t")
            .status(SessionStatus.PLANNED)
            .startedAt(Instant.now())
            .build();
    Session published = planned.finished(SessionStatus.PUBLISHED, "facts.t", (long) i, null);

    // The history is built without reads (a plain read at 1,000 sessions takes seconds); measured
    // sessions
    // are read back on both sides.
    boolean measure = sums != null;
    long t0 = System.nanoTime();
    log.record(planned);
    long t1 = System.nanoTime();
    int mine = measure ? log.sessionsOfJob(process, job).size() : 1;
    long t2 = System.nanoTime();
    log.record(published);
    long t3 = System.nanoTime();

    upsert(plain, planned);
    long t4 = System.nanoTime();
    int plainMine = measure ? readJob(plain, process, job) : 1;
    long t5 = System.nanoTime();
    upsert(plain, published);
    long t6 = System.nanoTime();

    if (mine != 1 || plainMine != 1) {
      throw new IllegalStateException(
          "session "
              + planned.sessionId()
              + " read back "
              + mine
              + " / "
              + plainMine
              + " times, expected once");
    }
    if (measure) {
      sums[0] += (t1 - t0 + t3 - t2) / 1e6;
      sums[1] += (t4 - t3 + t6 - t5) / 1e6;
      sums[2] += (t2 - t1) / 1e6;
      sums[3] += (t5 - t4) / 1e6;
    }
  }

  /**
   * A plain Iceberg upsert: one data file and one equality-delete file on the key, one row-delta
   * commit.
   */
  private static void upsert(Table table, Session s) {
    table.refresh();
    Schema schema = table.schema();
    Schema keySchema = TypeUtil.select(schema, schema.identifierFieldIds());
    int[] keyIds = schema.identifierFieldIds().stream().mapToInt(Integer::intValue).toArray();
    GenericAppenderFactory factory =
        new GenericAppenderFactory(schema, table.spec(), keyIds, keySchema, null);
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 0, System.nanoTime())
            .format(FileFormat.PARQUET)
            .build();
    Record row = GenericRecord.create(schema);
    row.setField("session_id", s.sessionId());
    row.setField("process_name", s.processName());
    row.setField("mode", s.mode());
    row.setField("processing", s.processing().toString());
    row.setField("source_table", "");
    row.setField("target_table", s.targetTable());
    row.setField("published_snapshot_id", s.publishedSnapshotId());
    row.setField("status", s.status().name());
    row.setField("job_id", s.jobId());
    Record key = GenericRecord.create(keySchema);
    key.setField("session_id", s.sessionId());
    key.setField("source_table", "");
    try {
      DataWriter<Record> data =
          factory.newDataWriter(files.newOutputFile(), FileFormat.PARQUET, null);
      try (DataWriter<Record> w = data) {
        w.write(row);
      }
      EqualityDeleteWriter<Record> deletes =
          factory.newEqDeleteWriter(files.newOutputFile(), FileFormat.PARQUET, null);
      try (EqualityDeleteWriter<Record> w = deletes) {
        w.write(key);
      }
      table.newRowDelta().addRows(data.toDataFile()).addDeletes(deletes.toDeleteFile()).commit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int readJob(Table table, String process, String job) {
    int n = 0;
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(table)
            .where(
                Expressions.and(
                    Expressions.equal("process_name", process), Expressions.equal("job_id", job)))
            .build()) {
      for (Record ignored : rows) {
        n++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }

  private static String report(
      List<Row> rows, int measured, int processes, double seconds, List<String> errors) {
    StringBuilder out = new StringBuilder();
    out.append("## Session log cost as history grows\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "Run %s; JDK %s; %d cores; %d processes share the log; each session recorded twice"
                + " (PLANNED, PUBLISHED) and read back by its job, on psyberg's log and on a plain"
                + " Iceberg upsert table (same schema, a data and an equality-delete file per"
                + " update, Iceberg defaults, generic reader); means of %d sessions measured at"
                + " each history size; total %.0f s.%n%n",
            ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors(),
            processes,
            measured,
            seconds));
    out.append(
        "| sessions in history | record ms (psyberg) | record ms (plain) | plain / psyberg |"
            + " read job ms (psyberg) | read job ms (plain) | plain / psyberg |\n"
            + "|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %,d | %.1f | %.1f | **%.1fx** | %.1f | %.1f | **%.1fx** |%n",
              r.history,
              r.psybergRecord,
              r.plainRecord,
              r.plainRecord / r.psybergRecord,
              r.psybergRead,
              r.plainRead,
              r.plainRead / r.psybergRead));
    }
    Row first = rows.get(0);
    Row last = rows.get(rows.size() - 1);
    out.append(
        String.format(
            Locale.ROOT,
            "%nFrom %,d to %,d sessions of history, psyberg's read of a job's sessions went %.2fx"
                + " and its record %.2fx; the plain table's read went %.2fx and its record"
                + " %.2fx.%n",
            first.history,
            last.history,
            last.psybergRead / first.psybergRead,
            last.psybergRecord / first.psybergRecord,
            last.plainRead / first.plainRead,
            last.plainRecord / first.plainRecord));
    if (!errors.isEmpty()) {
      out.append("\n**Errors: ").append(String.join("; ", errors)).append("**\n");
    }
    return out.toString();
  }
}
