package io.psyberg.flink.bench;

import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.backfill.BackfillStatus;
import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.backfill.BackfillRange;
import io.psyberg.flink.examples.backfill.Backfills;
import io.psyberg.flink.examples.generate.MembershipEvents;
import io.psyberg.flink.examples.signups.SignupFactMapper;
import io.psyberg.flink.examples.signups.SignupFacts;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.sink.FlinkSink;
import org.apache.iceberg.flink.source.IcebergSource;
import org.apache.iceberg.util.DateTimeUtil;

/**
 * Throughput of a managed backfill against the plain Iceberg way to rebuild the same range: a batch
 * Flink job with Iceberg's source and sink (source filtered to the range, the signups job's
 * mapping, appended to a fresh table). Both backfill jobs are measured as they run today: {@code
 * --job signups} reads and writes Iceberg in the CLI's JVM (no Flink job), {@code --job sql} runs
 * its SQL script for every day of the range (a chunk each) in one Flink batch job on a local
 * cluster, whose tasks write the chunks' files, and commits each chunk's files on the branch as its
 * own snapshot, all of the job's chunks in one transaction; the SQL backfills are also compared
 * with the same SQL run once as a plain Flink SQL job. {@code --job lifecycle} is measured against
 * a plain keyed recompute ({@link LifecycleBackfillRuns}). All in one process, wall time, median of
 * the runs. The plain job runs twice: at parallelism 1, and on every core, as the SQL backfill's
 * local cluster runs its chunks side by side on every core; each backfill's ratio is given to both.
 */
final class BackfillBenchmark {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -Xmx4g -jar psyberg-bench.jar backfill [options]",
          "",
          "Backfill throughput (signups job and SQL script) vs an Iceberg source -> Iceberg sink"
              + " recompute of the same range.",
          "",
          "  --quick          3 days x 20,000 events, 1 run (~1 min)",
          "  --days D         event history in days, one snapshot each (default 10)",
          "  --rows R         events per day (default 200000)",
          "  --accounts A     accounts (default 50000)",
          "  --runs N         measured runs of each side; the median is reported (default 3)",
          "  --jobs J,...     which backfills to measure: signups (with the SQL script),"
              + " lifecycle (default both)",
          "  --dir DIR        new or empty warehouse folder, kept (default: a temp folder,"
              + " deleted)",
          "  --keep           keep the temp warehouse",
          "  --help");

  private static final String EVENTS = "bench.events";
  private static final String FACTS = "bench.signup_facts";
  private static final String PROCESS = "bench_signups";
  private static final String SCRIPT =
      String.join(
          "\n",
          "SET 'psyberg.backfill.time-column' = 'event_ts';",
          "INSERT INTO lake.bench.signup_facts",
          "SELECT event_id, account_id, plan, event_ts, CAST(event_ts AS DATE)",
          "FROM lake.bench.events",
          "WHERE event_type = 'SIGNUP' AND event_ts >= ${backfill.from} AND event_ts <"
              + " ${backfill.to};",
          "");

  private static final DateTimeFormatter LITERAL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  private BackfillBenchmark() {}

  static Benchmark.Result run(String[] argv, PrintStream progress) throws Exception {
    BenchArgs args =
        BenchArgs.parse(argv, Set.of("days", "rows", "accounts", "runs", "jobs"), USAGE);
    if (args.help) {
      return Benchmark.Result.help(USAGE);
    }
    int days = args.positive("days", 3, 10);
    int rows = args.positive("rows", 20_000, 200_000);
    int accounts = args.positive("accounts", 5_000, 50_000);
    int runs = args.positive("runs", 1, 3);
    Set<String> jobs = jobs(args.text("jobs"));
    Path dir = args.warehouse("psyberg-bench-backfill");
    CatalogSpec spec = CatalogSpec.hadoop(dir.toString());
    Catalog catalog = spec.open();
    BackfillRange range =
        new BackfillRange(
            LocalDateTime.parse("2026-01-01T00:00:00"),
            LocalDateTime.parse("2026-01-01T00:00:00").plusDays(days));
    int cores = Runtime.getRuntime().availableProcessors();
    List<Double> plain = new ArrayList<>();
    List<Double> plainNet = new ArrayList<>();
    List<Double> plainAll = new ArrayList<>();
    List<Double> signups = new ArrayList<>();
    List<Double> sql = new ArrayList<>();
    List<Double> sqlPerJob = new ArrayList<>();
    List<Double> plainSql = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    long facts = -1;
    LifecycleBackfillRuns lifecycle =
        jobs.contains("lifecycle")
            ? new LifecycleBackfillRuns(spec, catalog, EVENTS, range, cores)
            : null;
    try {
      progress.printf("History: %d days x %,d events, %,d accounts ...%n", days, rows, accounts);
      EventTable table = EventTable.create(catalog, EVENTS);
      EventMaker maker = new EventMaker(accounts, 7);
      for (int day = 0; day < days; day++) {
        table.append(maker.day(day, rows, 0, 0));
      }
      progress.println("  the live processes publish the history once ...");
      if (jobs.contains("signups")) {
        PsybergRuns.signups(dir.toString(), PROCESS, EVENTS, FACTS);
      }
      if (lifecycle != null) {
        lifecycle.publishHistory(dir.toString());
      }
      Path script = Files.writeString(dir.resolve("signups-backfill.sql"), SCRIPT);
      Path perJob =
          Files.writeString(
              dir.resolve("signups-backfill-per-job.sql"),
              "SET 'psyberg.backfill.placeholders' = 'job';\n" + SCRIPT);
      Backfills backfills =
          new Backfills(catalog, "psyberg")
              .sqlCatalog(spec, Map.of("catalog-type", "hadoop", "warehouse", dir.toString()));
      for (int run = 1; run <= runs; run++) {
        if (lifecycle != null) {
          lifecycle.run(run, backfills, progress, failures);
        }
        if (!jobs.contains("signups")) {
          continue;
        }
        progress.printf("  run %d/%d: plain Iceberg recompute ...%n", run, runs);
        String out = "bench.plain_" + run;
        catalog.createTable(
            TableIdentifier.parse(out), SignupFacts.SCHEMA, PartitionSpec.unpartitioned());
        long t0 = System.nanoTime();
        JobExecutionResult result = plainRecompute(spec, range, out, 1);
        plain.add((System.nanoTime() - t0) / 1e6);
        plainNet.add((double) result.getNetRuntime());
        long plainRows = rowCount(catalog.loadTable(TableIdentifier.parse(out)));

        progress.printf(
            "  run %d/%d: plain Iceberg recompute, parallelism %d ...%n", run, runs, cores);
        String outAll = "bench.plain_all_" + run;
        catalog.createTable(
            TableIdentifier.parse(outAll), SignupFacts.SCHEMA, PartitionSpec.unpartitioned());
        t0 = System.nanoTime();
        plainRecompute(spec, range, outAll, cores);
        plainAll.add((System.nanoTime() - t0) / 1e6);
        long plainAllRows = rowCount(catalog.loadTable(TableIdentifier.parse(outAll)));
        if (plainAllRows != plainRows) {
          failures.add(
              String.format(
                  "the plain recompute wrote %,d rows at parallelism 1 and %,d at %d",
                  plainRows, plainAllRows, cores));
        }

        progress.printf("  run %d/%d: plain Flink SQL recompute ...%n", run, runs);
        String outSql = "bench.plain_sql_" + run;
        catalog.createTable(
            TableIdentifier.parse(outSql), SignupFacts.SCHEMA, PartitionSpec.unpartitioned());
        Path plainScript =
            Files.writeString(
                dir.resolve("plain-" + run + ".sql"), plainSqlScript(outSql, range, cores));
        t0 = System.nanoTime();
        PsybergRuns.sql(dir.toString(), plainScript);
        plainSql.add((System.nanoTime() - t0) / 1e6);
        long plainSqlRows = rowCount(catalog.loadTable(TableIdentifier.parse(outSql)));
        if (plainSqlRows != plainRows) {
          failures.add(
              String.format(
                  "the plain SQL recompute wrote %,d rows, the plain job %,d",
                  plainSqlRows, plainRows));
        }

        progress.printf("  run %d/%d: backfill --job signups ...%n", run, runs);
        t0 = System.nanoTime();
        Backfill b = backfills.start(PROCESS, "signups", null, range, 0);
        signups.add((System.nanoTime() - t0) / 1e6);
        check(b, plainRows, "signups", failures);
        backfills.abort(b.backfillId());

        progress.printf("  run %d/%d: backfill --job sql (%d chunks) ...%n", run, runs, days);
        t0 = System.nanoTime();
        b = backfills.start(PROCESS, "sql", script, range, 0);
        sql.add((System.nanoTime() - t0) / 1e6);
        check(b, plainRows, "sql", failures);
        backfills.abort(b.backfillId());

        progress.printf("  run %d/%d: backfill --job sql, placeholders per job ...%n", run, runs);
        t0 = System.nanoTime();
        b = backfills.start(PROCESS, "sql", perJob, range, 0);
        sqlPerJob.add((System.nanoTime() - t0) / 1e6);
        check(b, plainRows, "sql (placeholders per job)", failures);
        backfills.abort(b.backfillId());
        facts = plainRows;
      }
    } finally {
      CatalogSpec.closeQuietly(catalog);
      args.cleanUp(dir, progress);
    }
    StringBuilder md = new StringBuilder();
    if (jobs.contains("signups")) {
      md.append(
          markdown(
              days,
              rows,
              accounts,
              runs,
              facts,
              new Plain(plain, plainNet, plainAll, plainSql, cores),
              signups,
              sql,
              sqlPerJob));
    }
    if (lifecycle != null) {
      lifecycle.markdown(md, (long) days * rows, runs);
    }
    return failures.isEmpty()
        ? Benchmark.Result.ok(md.toString())
        : Benchmark.Result.failed(md.toString(), String.join("; ", failures));
  }

  /**
   * The backfill's script as a plain Flink SQL recompute of the whole range: its query with the
   * range's literals, run once as a batch job on every core, into a fresh table.
   */
  static String plainSqlScript(String target, BackfillRange range, int parallelism) {
    return String.join(
        "\n",
        "SET 'execution.runtime-mode' = 'batch';",
        "SET 'parallelism.default' = '" + parallelism + "';",
        "SET 'table.exec.iceberg.use-flip27-source' = 'true';",
        "INSERT INTO lake." + target,
        "SELECT event_id, account_id, plan, event_ts, CAST(event_ts AS DATE)",
        "FROM lake.bench.events",
        "WHERE event_type = 'SIGNUP' AND event_ts >= TIMESTAMP '"
            + LITERAL.format(range.from())
            + "' AND event_ts < TIMESTAMP '"
            + LITERAL.format(range.to())
            + "';",
        "");
  }

  private static void check(Backfill b, long expected, String job, List<String> failures) {
    if (b.status() != BackfillStatus.BUILT || b.rowsWritten() != expected) {
      failures.add(
          String.format(
              "backfill --job %s is %s with %,d rows; the plain recompute wrote %,d",
              job, b.status(), b.rowsWritten(), expected));
    }
  }

  /** Iceberg source (filtered to SIGNUP events in the range) -> signup facts -> Iceberg sink. */
  private static JobExecutionResult plainRecompute(
      CatalogSpec catalog, BackfillRange range, String target, int parallelism) throws Exception {
    StreamExecutionEnvironment env = LocalFlink.env(parallelism);
    IcebergSource<RowData> source =
        IcebergSource.forRowData()
            .tableLoader(TableLoader.fromCatalog(catalog.loader(), TableIdentifier.parse(EVENTS)))
            .streaming(false)
            .filters(
                List.of(
                    Expressions.equal(MembershipEvents.EVENT_TYPE, MembershipEvents.SIGNUP),
                    Expressions.greaterThanOrEqual(
                        MembershipEvents.EVENT_TS, DateTimeUtil.microsFromTimestamp(range.from())),
                    Expressions.lessThan(
                        MembershipEvents.EVENT_TS, DateTimeUtil.microsFromTimestamp(range.to()))))
            .build();
    DataStream<RowData> facts =
        env.fromSource(
                source,
                WatermarkStrategy.noWatermarks(),
                "iceberg " + EVENTS,
                InternalTypeInfo.of(FlinkSchemaUtil.convert(MembershipEvents.SCHEMA)))
            .flatMap(new SignupFactMapper())
            .returns(InternalTypeInfo.of(FlinkSchemaUtil.convert(SignupFacts.SCHEMA)))
            .name("signup facts");
    FlinkSink.forRowData(facts)
        .tableLoader(TableLoader.fromCatalog(catalog.loader(), TableIdentifier.parse(target)))
        .append();
    return env.execute("plain recompute of the range");
  }

  /** The rows of a table's current snapshot, as its summary counts them. */
  static long rowCount(Table table) {
    table.refresh();
    Snapshot s = table.currentSnapshot();
    return s == null ? 0 : Long.parseLong(s.summary().getOrDefault("total-records", "0"));
  }

  private static String markdown(
      int days,
      int rows,
      int accounts,
      int runs,
      long facts,
      Plain plain,
      List<Double> signups,
      List<Double> sql,
      List<Double> sqlPerJob) {
    double p = LocalFlink.median(plain.one());
    double all = LocalFlink.median(plain.all());
    double s = LocalFlink.median(signups);
    double q = LocalFlink.median(sql);
    long events = (long) days * rows;
    StringBuilder md = new StringBuilder("## Backfill throughput\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Rebuild of a %d-day range (%,d events, %,d accounts, one snapshot per day) into %,d"
                + " signup facts; median of %d run(s), wall time, one process. The plain job at"
                + " parallelism 1 and at %d (every core: the SQL backfill's local cluster runs its"
                + " chunks side by side on every core). Throughput is source events per"
                + " second.\n\n",
            days,
            events,
            accounts,
            facts,
            runs,
            plain.cores()));
    header(md, plain.cores());
    row(md, "plain Iceberg source -> Iceberg sink (Flink job), parallelism 1", p, events, p, all);
    row(
        md,
        "plain Iceberg source -> Iceberg sink (Flink job), parallelism " + plain.cores(),
        all,
        events,
        p,
        all);
    row(md, "backfill --job signups (in the CLI's JVM, no Flink job)", s, events, p, all);
    row(
        md,
        String.format(
            Locale.ROOT,
            "backfill --job sql (%d day chunks in %d Flink job(s), writing the files)",
            days,
            (days + 30) / 31),
        q,
        events,
        p,
        all);
    row(
        md,
        "backfill --job sql, SET 'psyberg.backfill.placeholders' = 'job' (script planned once per"
            + " job)",
        LocalFlink.median(sqlPerJob),
        events,
        p,
        all);
    md.append(
        String.format(
            Locale.ROOT,
            "%nThe plain job's net runtime at parallelism 1 (without the local cluster's start) was"
                + " %s ms.%n",
            LocalFlink.ms(LocalFlink.median(plain.oneNet()))));
    double plainSql = LocalFlink.median(plain.sql());
    double perJob = LocalFlink.median(sqlPerJob);
    md.append(
        String.format(
            Locale.ROOT,
            "%nThe SQL backfills against the plain way to run the same SQL: the script's query with"
                + " the range's literals, one Flink SQL batch job on every core (`sql --file`),"
                + " into a fresh table.%n%n"
                + "| rebuild | wall ms | events/s | ratio to plain SQL |%n|---|---:|---:|---:|%n"
                + "| plain Flink SQL recompute, parallelism %d | %s | %s | 1.00x |%n"
                + "| backfill --job sql (per chunk) | %s | %s | %.2fx |%n"
                + "| backfill --job sql, placeholders per job | %s | %s | %.2fx |%n",
            plain.cores(),
            LocalFlink.ms(plainSql),
            LocalFlink.perSecond(events, plainSql),
            LocalFlink.ms(q),
            LocalFlink.perSecond(events, q),
            plainSql / q,
            LocalFlink.ms(perJob),
            LocalFlink.perSecond(events, perJob),
            plainSql / perJob));
    return md.toString();
  }

  private static Set<String> jobs(String text) {
    if (text == null) {
      return Set.of("signups", "lifecycle");
    }
    Set<String> out = new TreeSet<>();
    for (String job : text.split(",")) {
      String j = job.trim();
      if (!j.equals("signups") && !j.equals("lifecycle")) {
        throw new IllegalArgumentException(
            "option '--jobs' has the bad value '"
                + text
                + "': valid values are signups, lifecycle");
      }
      out.add(j);
    }
    return out;
  }

  /** The header of a table of {@link #row} lines. */
  static void header(StringBuilder md, int cores) {
    md.append(
        String.format(
            Locale.ROOT,
            "| rebuild | wall ms | events/s | ratio to plain (p=1) | ratio to plain (p=%d) |%n"
                + "|---|---:|---:|---:|---:|%n",
            cores));
  }

  /** A side's median wall time, its throughput and its ratios to both plain jobs. */
  static void row(
      StringBuilder md, String name, double ms, long events, double plain, double plainAll) {
    md.append(
        String.format(
            Locale.ROOT,
            "| %s | %s | %s | %.2fx | %.2fx |%n",
            name,
            LocalFlink.ms(ms),
            LocalFlink.perSecond(events, ms),
            plain / ms,
            plainAll / ms));
  }

  /** The plain job's wall times at parallelism 1 (and its net runtimes) and on every core. */
  private record Plain(
      List<Double> one, List<Double> oneNet, List<Double> all, List<Double> sql, int cores) {}
}
