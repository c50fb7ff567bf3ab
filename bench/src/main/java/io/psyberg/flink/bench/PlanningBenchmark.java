package io.psyberg.flink.bench;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.planning.StartFrom;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.source.PsybergSource;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.IncrementalAppendScan;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Session planning against Iceberg's own incremental planning, side by side in one JVM.
 *
 * <p>For tables of H fast-append snapshots (one data file each) and N new snapshots at the end of
 * the history, it times
 *
 * <ul>
 *   <li><b>psyberg</b>: {@code PsybergSource.planNextSession()} of a bounded source whose process
 *       has no high watermark and which starts at the oldest of the N new snapshots: it opens the
 *       catalog, reads the process's high watermarks (none), loads the table, walks the ancestry,
 *       and plans the added files of each new snapshot with their metrics and the change range;
 *   <li><b>iceberg</b>: {@code catalog.loadTable(..)} then {@code newIncrementalAppendScan()
 *       .fromSnapshotExclusive(hwm).toSnapshot(head).planFiles()}, iterating every task;
 *   <li><b>load</b>: {@code catalog.loadTable(..)} alone, the fixed cost both of the above include;
 *   <li><b>psyberg with nothing new</b>: {@code planNextSession()} of a source that starts at the
 *       latest snapshot, psyberg's fixed cost (catalog, high watermarks, table load).
 * </ul>
 *
 * <p>Each call loads the table afresh, so no manifest list cached on a {@code Snapshot} object
 * survives from one call to the next. Rounds alternate which approach goes first, a full GC runs
 * (untimed) before each call, and the report gives medians. Both approaches must find exactly N
 * files, every call.
 *
 * <p>Planning is timed through the public {@code planNextSession()}, the same planner a bounded
 * run's enumerator calls. (Before, bench called the internal planner with the high watermark in
 * hand; the psyberg column now also holds opening the catalog and reading the high watermarks,
 * which the last column shows alone.)
 */
public final class PlanningBenchmark {
  private static final String NAMESPACE = "bench";
  private static final String PROCESS = "bench";

  /** A warm-up round longer than this is kept as a measured round. */
  private static final double WARMUP_KEPT_MILLIS = 10_000;

  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -Xmx4g -jar psyberg-bench.jar planning [options]",
          "",
          "Measures session planning (psyberg SessionPlanner) against Iceberg's"
              + " IncrementalAppendScan.planFiles()",
          "over the last N snapshots of tables with H snapshots of history, side by side in one"
              + " JVM.",
          "",
          "  --quick              histories 200,1000 instead of 1000,5000",
          "  --history H1,H2,...  snapshots per table (default 1000,5000)",
          "  --new N1,N2,...      new snapshots to plan, at the end of the history (default"
              + " 10,100,1000; N <= H)",
          "  --warmup W           unmeasured rounds per scenario (default 1)",
          "  --repeats R          measured rounds per scenario (default 5)",
          "  --budget-seconds S   stop a scenario after 3 measured rounds once it has run S seconds"
              + " (default 30)",
          "  --commit-each        build the history with one table commit per snapshot instead of"
              + " writing the",
          "                       metadata JSON once per "
              + HistoryTables.APPENDS_PER_FLUSH
              + " fast appends (same snapshots, manifests and manifest lists; slower)",
          "  --dir DIR            warehouse folder (default: a temp folder, deleted at the end);"
              + " tables already",
          "                       there with the right number of snapshots are reused",
          "  --keep               keep the temp warehouse",
          "  --help");

  private final List<Integer> histories;
  private final List<Integer> newSnapshots;
  private final int warmup;
  private final int repeats;
  private final int budgetSeconds;
  private final boolean commitEach;
  private final CatalogSpec spec;
  private final Catalog catalog;
  private final PrintStream progress;
  private boolean mismatch;

  private PlanningBenchmark(
      BenchArgs args, CatalogSpec spec, Catalog catalog, PrintStream progress) {
    this.spec = spec;
    this.histories = args.list("history", List.of(200, 1_000), List.of(1_000, 5_000));
    this.newSnapshots = args.list("new", List.of(10, 100, 1_000), List.of(10, 100, 1_000));
    this.warmup = args.nonNegative("warmup", 1, 1);
    this.repeats = args.positive("repeats", 5, 5);
    this.budgetSeconds = args.positive("budget-seconds", 30, 30);
    this.commitEach = args.flag("commit-each");
    int largest = histories.get(histories.size() - 1);
    if (newSnapshots.get(0) > largest) {
      throw new IllegalArgumentException(
          "--new: every value is larger than the largest history "
              + largest
              + "; nothing to measure.");
    }
    this.catalog = catalog;
    this.progress = progress;
  }

  /** Runs the planning benchmark alone, as {@code psyberg-bench.jar planning [options]}. */
  public static void main(String[] args) throws Exception {
    BenchMain.main(prepend("planning", args));
  }

  private static String[] prepend(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  /** The {@link Benchmark} entry: parses the planning options and runs every scenario. */
  static Benchmark.Result run(String[] argv, PrintStream progress) throws Exception {
    BenchArgs args =
        BenchArgs.parse(
            argv,
            Set.of("history", "new", "warmup", "repeats", "budget-seconds"),
            Set.of("commit-each"),
            USAGE);
    if (args.help) {
      return Benchmark.Result.help(USAGE);
    }
    Path dir = args.warehouse("psyberg-bench");
    CatalogSpec spec = CatalogSpec.embedded(dir.toString());
    Catalog catalog = spec.open();
    try {
      return new PlanningBenchmark(args, spec, catalog, progress).run(dir);
    } finally {
      CatalogSpec.closeQuietly(catalog);
      args.cleanUp(dir, progress);
    }
  }

  private Benchmark.Result run(Path dir) throws IOException {
    long started = System.nanoTime();
    progress.printf(
        "Warehouse %s (file system %s); histories %s, new snapshots %s.%n",
        dir, fileSystem(dir), histories, newSnapshots);
    HistoryTables tables = new HistoryTables(catalog, progress);
    Map<Integer, HistoryTables.Built> built = new LinkedHashMap<>();
    for (int h : histories) {
      built.put(h, tables.create(NAMESPACE + ".h" + h, h, commitEach));
    }

    // The JIT is cold when the tables were reused: plan a few times before anything is measured.
    int h0 = histories.get(0);
    int n0 = Math.min(100, h0);
    progress.printf("Warming up: H=%d N=%d, 5 rounds.%n", h0, n0);
    measure(built.get(h0).name, h0, n0, 0, 5);

    List<PlanningRow> rows = new ArrayList<>();
    for (int h : histories) {
      for (int n : newSnapshots) {
        if (n <= h) {
          PlanningRow row = measure(built.get(h).name, h, n, warmup, repeats);
          progress.printf(
              "H=%d N=%d: psyberg %s ms, iceberg %s ms (GC %.0f / %.0f ms), load %s ms, psyberg"
                  + " with nothing new %s ms (%d rounds)%n",
              h,
              n,
              PlanningReport.ms(row.psyberg),
              PlanningReport.ms(row.iceberg),
              row.psybergGc,
              row.icebergGc,
              PlanningReport.ms(row.load),
              PlanningReport.ms(row.fixed),
              row.rounds);
          rows.add(row);
        }
      }
    }
    String report =
        new PlanningReport(
                histories,
                newSnapshots,
                warmup,
                repeats,
                budgetSeconds,
                WARMUP_KEPT_MILLIS,
                commitEach)
            .render(rows, built, (System.nanoTime() - started) / 1e9);
    if (mismatch) {
      return Benchmark.Result.failed(
          report,
          "the two approaches did not plan the same number of files; see the progress output.");
    }
    return Benchmark.Result.ok(report);
  }

  /** A bounded source of the benchmark's process over one table, starting where it is told. */
  private PsybergSource source(String table, StartFrom start) {
    return PsybergSource.builder()
        .catalog(spec)
        .processName(PROCESS)
        .tables(table)
        .changeRangeColumn("event_ts")
        .startFrom(start)
        .bounded()
        .build();
  }

  @FunctionalInterface
  private interface Probe {
    /** Runs once and returns the number of data files planned. */
    long run();
  }

  private PlanningRow measure(String name, int history, int n, int warmup, int repeats) {
    TableIdentifier id = TableIdentifier.parse(name);
    Table table = catalog.loadTable(id);
    long head = table.currentSnapshot().snapshotId();
    // Ancestors from the head back: the high watermark is the snapshot n before the head (none when
    // all of the history is new).
    List<Long> ancestors = new ArrayList<>();
    SnapshotUtil.currentAncestorIds(table).forEach(ancestors::add);
    @Nullable Long hwm = n < ancestors.size() ? ancestors.get(n) : null;

    // The process has no high watermark, so its start position selects the N new snapshots: the
    // oldest of them, included (all of the history: from the earliest).
    PsybergSource source =
        source(name, hwm == null ? StartFrom.EARLIEST : StartFrom.snapshot(ancestors.get(n - 1)));
    PsybergSource nothingNew = source(name, StartFrom.LATEST);

    Probe psyberg =
        () -> {
          SourceRange range = source.planNextSession().range(name);
          if (range.snapshotCount() != n) {
            error("psyberg planned %d snapshots for H=%d N=%d", range.snapshotCount(), history, n);
          }
          return range.dataFileCount();
        };
    Probe fixed =
        () -> {
          nothingNew.planNextSession();
          return n;
        };
    Probe iceberg =
        () -> {
          Table t = catalog.loadTable(id);
          IncrementalAppendScan scan = t.newIncrementalAppendScan();
          if (hwm != null) {
            scan = scan.fromSnapshotExclusive(hwm);
          }
          scan = scan.toSnapshot(head);
          long files = 0;
          try (CloseableIterable<FileScanTask> tasks = scan.planFiles()) {
            for (FileScanTask task : tasks) {
              files++;
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return files;
        };
    Probe load =
        () -> {
          catalog.loadTable(id);
          return n;
        };

    PlanningRow.Samples p = new PlanningRow.Samples();
    PlanningRow.Samples i = new PlanningRow.Samples();
    PlanningRow.Samples l = new PlanningRow.Samples();
    PlanningRow.Samples f = new PlanningRow.Samples();
    long measuringSince = 0;
    boolean warmupKept = false;
    int rounds = warmup + repeats;
    for (int r = 0; r < rounds; r++) {
      boolean measured = r >= warmup;
      if (r == warmup) {
        measuringSince = System.nanoTime();
      }
      if (measured
          && p.wall.size() >= 3
          && (System.nanoTime() - measuringSince) / 1e9 > budgetSeconds) {
        break;
      }
      // Alternate the order so that neither approach always runs right after the other's garbage.
      boolean psybergFirst = r % 2 == 0;
      double[] a =
          time(psybergFirst ? psyberg : iceberg, n, psybergFirst ? "psyberg" : "iceberg", history);
      double[] b =
          time(psybergFirst ? iceberg : psyberg, n, psybergFirst ? "iceberg" : "psyberg", history);
      double[] c = time(load, n, "load", history);
      double[] d = time(fixed, n, "psyberg with nothing new", history);
      // A warm-up round that takes this long runs with the JIT already warm from the scenarios
      // before;
      // repeating it would only add minutes.
      if (!measured && a[0] + b[0] > WARMUP_KEPT_MILLIS) {
        measured = true;
        warmupKept = true;
      }
      if (measured) {
        p.add(psybergFirst ? a : b);
        i.add(psybergFirst ? b : a);
        l.add(c);
        f.add(d);
      }
    }
    return new PlanningRow(history, n, n, p, i, l, f, warmupKept);
  }

  /**
   * Wall-clock, CPU and GC milliseconds of one call (CPU of all threads: Iceberg's worker pool, GC,
   * JIT; GC as the collectors report their collection time).
   */
  private double[] time(Probe probe, int expected, String what, int history) {
    System.gc();
    long gc0 = gcMillis();
    long cpu0 = CpuClock.nanos();
    long t0 = System.nanoTime();
    long files = probe.run();
    double millis = (System.nanoTime() - t0) / 1e6;
    double cpuMillis = (CpuClock.nanos() - cpu0) / 1e6;
    double gc = gcMillis() - gc0;
    if (files != expected) {
      error(
          "%s planned %d files for H=%d N=%d, expected %d",
          what, files, history, expected, expected);
    }
    return new double[] {millis, cpuMillis, gc};
  }

  private static long gcMillis() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionTime());
    }
    return sum;
  }

  private void error(String format, Object... args) {
    mismatch = true;
    System.err.println("ERROR: " + String.format(format, args));
  }

  private static String fileSystem(Path dir) throws IOException {
    return new org.apache.hadoop.fs.Path(dir.toUri())
        .getFileSystem(new Configuration())
        .getClass()
        .getSimpleName();
  }
}
