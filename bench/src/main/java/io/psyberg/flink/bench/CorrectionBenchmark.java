package io.psyberg.flink.bench;

import io.psyberg.flink.stateful.lifecycle.Anomaly;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import io.psyberg.flink.stateful.lifecycle.LifecycleProcessor;
import io.psyberg.flink.stateful.lifecycle.LifecycleRecompute;
import io.psyberg.flink.stateful.lifecycle.LifecycleResult;
import io.psyberg.flink.stateful.lifecycle.LifecycleState;
import io.psyberg.flink.stateful.lifecycle.LifecycleTypes;
import io.psyberg.flink.stateful.lifecycle.Segment;
import io.psyberg.flink.stateful.sequence.Change;
import io.psyberg.flink.stateful.sequence.EventSequenceFunction;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.contrib.streaming.state.RocksDBOptionsFactory;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;

/**
 * Late-correction cost of the continuous lifecycle: the real keyed operator ({@link
 * EventSequenceFunction} as {@link LifecycleProcessor#function} builds it) in a local MiniCluster
 * job, on the heap or the RocksDB backend. The state is built with the same number of events per
 * account for 1K, 10K and 100K accounts; then a fixed number of late events (plan changes inside an
 * account's history, which replay the events after them) is processed, and only those are timed.
 * The claim: the cost per late event does not grow with the number of accounts. The corrected
 * lifecycle of every account a late event touched must equal a full recompute.
 *
 * <p>Each late event is timed around the function's {@code processElement} on its task thread
 * ({@link CorrectionJob.Timed}), as it was timed before around the operator in Flink's keyed
 * operator test harness (a test-jar, kept out of bench's compile scope): the figures stay
 * comparable, the state-build time now includes the job's source and network.
 */
final class CorrectionBenchmark {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -Xmx4g -jar psyberg-bench.jar correction [options]",
          "",
          "Times late events in the keyed lifecycle operator after its state holds E events for"
              + " each of A accounts.",
          "",
          "  --quick              accounts 1000,10000; 300 late events (~30 s)",
          "  --accounts A1,A2,..  account counts (default 1000,10000,100000)",
          "  --events E           events per account in state before the late ones (default 10)",
          "  --late L             late events timed per scenario (default 1000), after 200 untimed"
              + " ones",
          "  --backends B         heap, rocksdb or heap,rocksdb (default heap,rocksdb)",
          "  --rocksdb-cache-mb M RocksDB block cache size in MiB (default: RocksDB's own, 8 MiB)",
          "  --help");

  private static final int WARMUP_LATE = 200;
  private static final int WARMUP_ACCOUNTS = 500;

  private final PrintStream progress;
  private final List<String> mismatches = new ArrayList<>();

  /** Zero: RocksDB's default block cache. */
  private int blockCacheMb;

  private CorrectionBenchmark(PrintStream progress) {
    this.progress = progress;
  }

  static Benchmark.Result run(String[] argv, PrintStream progress) throws Exception {
    BenchArgs args =
        BenchArgs.parse(
            argv, Set.of("accounts", "events", "late", "backends", "rocksdb-cache-mb"), USAGE);
    if (args.help) {
      return Benchmark.Result.help(USAGE);
    }
    List<Integer> accounts =
        args.list("accounts", List.of(1_000, 10_000), List.of(1_000, 10_000, 100_000));
    int events = args.positive("events", 10, 10);
    int late = args.positive("late", 300, 1_000);
    String backendText = args.text("backends") == null ? "heap,rocksdb" : args.text("backends");
    List<String> backends = List.of(backendText.split(","));
    for (String b : backends) {
      if (!b.equals("heap") && !b.equals("rocksdb")) {
        throw new IllegalArgumentException(
            "Option --backends takes heap and/or rocksdb, got '" + b + "'.");
      }
    }
    long started = System.nanoTime();
    CorrectionBenchmark bench = new CorrectionBenchmark(progress);
    bench.blockCacheMb =
        args.text("rocksdb-cache-mb") == null ? 0 : args.positive("rocksdb-cache-mb", 0, 0);
    List<Row> rows = new ArrayList<>();
    for (String backend : backends) {
      // Unreported: compiles the late-event path (replay, diff) before anything is timed.
      progress.println("warm-up:");
      bench.scenario(backend, WARMUP_ACCOUNTS, events, 2_000);
      for (int a : accounts) {
        rows.add(bench.scenario(backend, a, events, late));
      }
    }
    String report =
        report(rows, events, late, bench.blockCacheMb, (System.nanoTime() - started) / 1e9);
    return bench.mismatches.isEmpty()
        ? Benchmark.Result.ok(report)
        : Benchmark.Result.failed(
            report, "corrections differ from a full recompute: " + bench.mismatches);
  }

  private record Row(
      String backend,
      int accounts,
      long stateEvents,
      int late,
      double buildSeconds,
      double medianMicros,
      double meanMicros,
      double p90Micros,
      double cpuMicros,
      long changes,
      int checkedAccounts) {}

  private Row scenario(String backend, int accounts, int eventsPerAccount, int late)
      throws Exception {
    progress.printf(
        "%s backend, %,d accounts x %d events ...%n", backend, accounts, eventsPerAccount);
    Path rocksDir =
        backend.equals("rocksdb") ? Files.createTempDirectory("psyberg-bench-rocksdb") : null;
    int build = accounts * eventsPerAccount;
    long total = (long) build + WARMUP_LATE + late;
    String name = "correction-" + backend + "-" + accounts + "-" + System.nanoTime();
    CorrectionJob.Run run = CorrectionJob.start(name, build, WARMUP_LATE);
    try {
      StreamExecutionEnvironment env = LocalFlink.env(1);
      if (rocksDir != null) {
        EmbeddedRocksDBStateBackend rocks = new EmbeddedRocksDBStateBackend();
        rocks.setDbStoragePath(rocksDir.toString());
        // RocksDB's own memory settings (64 MB write buffers), as before in the operator harness,
        // whose few MB of managed memory made RocksDB flush and stall on nearly every write.
        rocks.getMemoryConfiguration().setUseManagedMemory(false);
        if (blockCacheMb > 0) {
          rocks.setRocksDBOptions(new BlockCache(blockCacheMb));
        }
        env.setStateBackend(rocks);
      } else {
        env.setStateBackend(new HashMapStateBackend());
      }
      EventSequenceFunction<Long, LifecycleEvent, LifecycleState, Segment, Anomaly> function =
          LifecycleProcessor.function(null);
      SingleOutputStreamOperator<Change<Segment>> changes =
          env.fromSequence(0, total - 1)
              .map(new CorrectionJob.Generate(accounts, eventsPerAccount))
              .returns(LifecycleTypes.EVENT)
              .keyBy(LifecycleEvent::accountId, Types.LONG)
              .process(new CorrectionJob.Timed(name, function), LifecycleTypes.SEGMENT_CHANGE);
      changes.addSink(new CorrectionJob.Segments(name));
      changes.getSideOutput(function.anomalyTag()).addSink(new CorrectionJob.Anomalies(name));
      env.execute("bench correction " + backend + " " + accounts);
      progress.printf(
          "  state built in %.1f s; %d + %d late events ...%n",
          run.buildSeconds, WARMUP_LATE, late);

      // The same history again, to check every touched account against a full recompute.
      CorrectionJob.History history = new CorrectionJob.History(accounts, eventsPerAccount);
      Map<Long, List<LifecycleEvent>> all = new HashMap<>();
      Set<Long> touched = new LinkedHashSet<>();
      for (long i = 0; i < total; i++) {
        LifecycleEvent e = history.next(i);
        all.computeIfAbsent(e.accountId(), x -> new ArrayList<>(eventsPerAccount + 2)).add(e);
        if (i >= build) {
          touched.add(e.accountId());
        }
      }
      int checked = check(backend, accounts, touched, all, run);
      List<Double> micros = new ArrayList<>(run.micros);
      Collections.sort(micros);
      double mean = micros.stream().mapToDouble(Double::doubleValue).average().orElse(0);
      Row row =
          new Row(
              backend,
              accounts,
              build,
              late,
              run.buildSeconds,
              LocalFlink.median(micros),
              mean,
              micros.get((int) (micros.size() * 0.9)),
              run.cpuNanos / 1e3 / late,
              run.changes - run.changesBeforeTimed,
              checked);
      progress.printf(
          "  per late event: median %.0f us, mean %.0f us, CPU %.0f us%n",
          row.medianMicros, mean, row.cpuMicros);
      return row;
    } finally {
      CorrectionJob.end(name);
      if (rocksDir != null) {
        BenchArgs.deleteRecursively(rocksDir);
      }
    }
  }

  /** Compares every touched account's corrected segments and anomalies with a full recompute. */
  private int check(
      String backend,
      int accounts,
      Set<Long> touched,
      Map<Long, List<LifecycleEvent>> all,
      CorrectionJob.Run outputs) {
    int bad = 0;
    for (long a : touched) {
      LifecycleResult expected = LifecycleRecompute.recompute(all.get(a));
      List<Segment> actual =
          new ArrayList<>(outputs.segments.getOrDefault(a, new TreeMap<>()).values());
      List<Anomaly> actualAnomalies =
          outputs.anomalies.values().stream().filter(x -> x.accountId() == a).toList();
      boolean sameAnomalies =
          new HashSet<>(expected.anomalies()).equals(new HashSet<>(actualAnomalies));
      if (!expected.segments().equals(actual) || !sameAnomalies) {
        if (bad++ < 3) {
          progress.printf(
              "ERROR: %s, %d accounts: account %d corrected to %s, full recompute gives %s%n",
              backend, accounts, a, actual, expected.segments());
        }
      }
    }
    if (bad > 0) {
      mismatches.add(backend + "/" + accounts + ": " + bad + " accounts");
    }
    return touched.size();
  }

  /** A RocksDB block cache of a given size, to see whether late-event reads are cache misses. */
  private static final class BlockCache implements RocksDBOptionsFactory {
    private static final long serialVersionUID = 1L;
    private final int mb;

    BlockCache(int mb) {
      this.mb = mb;
    }

    @Override
    public DBOptions createDBOptions(DBOptions current, Collection<AutoCloseable> handles) {
      return current;
    }

    @Override
    public ColumnFamilyOptions createColumnOptions(
        ColumnFamilyOptions current, Collection<AutoCloseable> handles) {
      LRUCache cache = new LRUCache((long) mb << 20);
      handles.add(cache);
      return current.setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
    }
  }

  private static String report(
      List<Row> rows, int events, int late, int blockCacheMb, double seconds) {
    StringBuilder out = new StringBuilder("## Late-correction cost vs number of accounts\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "Run %s; JDK %s; max heap %d MiB; keyed lifecycle function (EventSequenceFunction, no"
                + " retention) in a local MiniCluster job at parallelism 1; %d events per account"
                + " in state, in order; then %d untimed and %d timed late events (plan changes at a"
                + " random time inside a random account's history); time = the function's"
                + " processElement of each late event alone, on its task thread; CPU = that"
                + " thread's CPU time; RocksDB with its own memory settings (not managed memory,"
                + " block cache %s), local temp folder; an unreported %d-account scenario warms up"
                + " each backend first; total %.0f s.%n%n",
            ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
            System.getProperty("java.version"),
            Runtime.getRuntime().maxMemory() / (1024 * 1024),
            events,
            WARMUP_LATE,
            late,
            blockCacheMb == 0 ? "RocksDB's default" : blockCacheMb + " MiB",
            WARMUP_ACCOUNTS,
            seconds));
    out.append(
        "| backend | accounts | events in state | state build s | late events | median us/event |"
            + " mean us/event | p90 us/event | CPU us/event | median vs fewest accounts | changes"
            + " emitted | accounts checked vs full recompute |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    Map<String, Double> base = new HashMap<>();
    for (Row r : rows) {
      double b = base.computeIfAbsent(r.backend, k -> r.medianMicros);
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %,d | %.1f | %,d | %.0f | %.0f | %.0f | %.0f | %.2fx | %,d | %,d"
                  + " (equal) |%n",
              r.backend,
              r.accounts,
              r.stateEvents,
              r.buildSeconds,
              r.late,
              r.medianMicros,
              r.meanMicros,
              r.p90Micros,
              r.cpuMicros,
              r.medianMicros / b,
              r.changes,
              r.checkedAccounts));
    }
    return out.toString();
  }
}
