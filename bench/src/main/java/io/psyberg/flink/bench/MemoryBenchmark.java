package io.psyberg.flink.bench;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.iceberg.catalog.Catalog;

/**
 * Peak memory of a bounded {@code lifecycle} run: for each size, a fresh event table is written,
 * then a child JVM (this JVM's java binary, this jar on the class path) runs {@code PsybergCli
 * lifecycle} over it as a user would, while this process polls the child's {@code VmHWM} (peak
 * resident set) in {@code /proc/<pid>/status}. The lifecycle the child publishes must equal a
 * recompute of the same events in this process.
 */
final class MemoryBenchmark {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -Xmx4g -jar psyberg-bench.jar memory [options]",
          "",
          "Peak RSS of a child JVM running one bounded lifecycle run over N events (Linux only:"
              + " reads /proc).",
          "",
          "  --quick            sizes 100000,300000 (~1 min)",
          "  --events N1,N2,..  event counts (default 100000,300000,1000000); 10 events per"
              + " account, 10 snapshots",
          "  --child-xmx MB     the child's -Xmx in MiB (default 768)",
          "  --child-opts \"..\"  more JVM options for the child, space-separated (e.g. for a"
              + " native memory summary:",
          "                     \"-XX:NativeMemoryTracking=summary -XX:+UnlockDiagnosticVMOptions"
              + " -XX:+PrintNMTStatistics\")",
          "  --dir DIR          new or empty warehouse folder, kept (default: a temp folder,"
              + " deleted)",
          "  --keep             keep the temp warehouse",
          "  --help");

  /**
   * The parent pom's java17.flags: what Flink and Hadoop need on JDK 17 (the manifest's apply to
   * -jar only).
   */
  private static final List<String> JAVA17_FLAGS =
      List.of(
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private static final int EVENTS_PER_ACCOUNT = 10;
  private static final int SNAPSHOTS = 10;

  private record Row(
      int events, int accounts, long peakRssKb, double seconds, double cpuSeconds, String output) {}

  static Benchmark.Result run(String[] argv, PrintStream progress) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("events", "child-xmx", "child-opts"), USAGE);
    if (args.help) {
      return Benchmark.Result.help(USAGE);
    }
    if (!Files.isDirectory(Paths.get("/proc/self"))) {
      throw new IllegalArgumentException("memory: needs Linux /proc to read the child's peak RSS.");
    }
    List<Integer> sizes =
        args.list("events", List.of(100_000, 300_000), List.of(100_000, 300_000, 1_000_000));
    int xmx = args.positive("child-xmx", 768, 768);
    List<String> childOpts =
        args.text("child-opts") == null
            ? List.of()
            : List.of(args.text("child-opts").trim().split("\\s+"));
    Path dir = args.warehouse("psyberg-bench-memory");
    long started = System.nanoTime();
    List<Row> rows = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    try {
      for (int n : sizes) {
        rows.add(measure(dir, n, xmx, childOpts, progress, failures));
      }
    } finally {
      args.cleanUp(dir, progress);
    }
    String report = report(rows, xmx, childOpts, (System.nanoTime() - started) / 1e9);
    return failures.isEmpty()
        ? Benchmark.Result.ok(report)
        : Benchmark.Result.failed(report, String.join("; ", failures));
  }

  private static Row measure(
      Path dir,
      int events,
      int xmx,
      List<String> childOpts,
      PrintStream progress,
      List<String> failures)
      throws Exception {
    String ns = "mem" + events;
    int accounts = Math.max(1, events / EVENTS_PER_ACCOUNT);
    progress.printf("%,d events over %,d accounts: writing ...%n", events, accounts);
    CatalogSpec spec = CatalogSpec.embedded(dir.toString());
    Catalog catalog = spec.open();
    List<LifecycleEvent> all = new ArrayList<>(events);
    try {
      EventTable table = EventTable.create(catalog, ns + ".events");
      EventMaker maker = new EventMaker(accounts, 11 + events);
      for (int day = 0; day < SNAPSHOTS; day++) {
        List<LifecycleEvent> batch = maker.day(day, events / SNAPSHOTS, 0, 0);
        table.append(batch);
        all.addAll(batch);
      }
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }

    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + xmx + "m");
    command.add("-XX:+IgnoreUnrecognizedVMOptions");
    command.addAll(JAVA17_FLAGS);
    command.addAll(childOpts);
    command.add("-cp");
    command.add(jar());
    command.add("io.psyberg.flink.examples.PsybergCli");
    command.addAll(
        List.of(
            "lifecycle",
            "--warehouse",
            dir.toString(),
            "--process",
            "memory",
            "--source",
            ns + ".events",
            "--target",
            ns + ".lifecycle",
            "--anomalies",
            ns + ".anomalies"));
    File log = dir.resolve(ns + "-child.log").toFile();
    progress.printf("  child: java -Xmx%dm ... PsybergCli lifecycle (output in %s)%n", xmx, log);
    long t0 = System.nanoTime();
    Process child =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    long peakKb = 0;
    long ticks = 0;
    Path status = Paths.get("/proc", Long.toString(child.pid()), "status");
    Path stat = Paths.get("/proc", Long.toString(child.pid()), "stat");
    while (child.isAlive()) {
      peakKb = Math.max(peakKb, hwmKb(status));
      ticks = Math.max(ticks, cpuTicks(stat));
      Thread.sleep(50);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    int code = child.waitFor();
    progress.printf("  exit %d after %.1f s; peak RSS %,d MiB%n", code, seconds, peakKb / 1024);
    String output;
    if (code != 0) {
      output = "**child failed (exit " + code + ")**";
      failures.add(events + " events: the child exited with " + code + ", see " + log);
      progress.println(Files.readString(log.toPath()));
    } else {
      output = check(spec, ns, all, events, failures, progress);
      if (!childOpts.isEmpty()) {
        // Extra options are for diagnostics (a native memory summary, GC logs): show what the child
        // printed.
        progress.println(Files.readString(log.toPath()));
      }
    }
    return new Row(events, accounts, peakKb, seconds, ticks / 100.0, output);
  }

  /** The child's lifecycle and anomalies against a recompute of the same events here. */
  private static String check(
      CatalogSpec spec,
      String ns,
      List<LifecycleEvent> all,
      int events,
      List<String> failures,
      PrintStream progress) {
    Catalog catalog = spec.open();
    try {
      LifecycleCheck.Outcome o =
          LifecycleCheck.compare(catalog, ns + ".lifecycle", ns + ".anomalies", all);
      if (o.mismatch() != null) {
        failures.add(events + " events: " + o.mismatch());
        progress.println("ERROR: " + o.mismatch());
        return "**differs from recompute**";
      }
      return String.format(
          Locale.ROOT,
          "equal to recompute (%,d segments, %,d anomalies)",
          o.segments().rows(),
          o.anomalies().rows());
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }
  }

  private static String jar() throws Exception {
    Path p =
        Paths.get(
            MemoryBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (!p.toString().endsWith(".jar")) {
      // Run from classes (an IDE): the child needs the same class path.
      return System.getProperty("java.class.path");
    }
    return p.toString();
  }

  private static long hwmKb(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException gone) {
      // the child just ended: the last reading stands
    }
    return 0;
  }

  /** utime + stime of the child in clock ticks (100 per second on Linux). */
  private static long cpuTicks(Path stat) {
    try {
      String s = Files.readString(stat);
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException gone) {
      return 0;
    }
  }

  private static String report(List<Row> rows, int xmx, List<String> childOpts, double seconds) {
    StringBuilder out = new StringBuilder("## Peak memory of a bounded lifecycle run\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "Run %s; JDK %s; child JVM `java -Xmx%dm <java17 flags>%s -cp psyberg-bench.jar"
                + " io.psyberg.flink.examples.PsybergCli lifecycle ...` (first run: every event is"
                + " new; local Flink, default configuration); %d events per account in %d"
                + " snapshots; peak RSS = the child's VmHWM from /proc, polled every 50 ms; total"
                + " %.0f s.%n%n",
            ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
            System.getProperty("java.version"),
            xmx,
            childOpts.isEmpty() ? "" : " " + String.join(" ", childOpts),
            EVENTS_PER_ACCOUNT,
            SNAPSHOTS,
            seconds));
    out.append(
        "| events | accounts | peak RSS MiB | vs smallest | child wall s | child CPU s | output"
            + " |\n");
    out.append("|---:|---:|---:|---:|---:|---:|---|\n");
    long base = rows.isEmpty() ? 1 : Math.max(1, rows.get(0).peakRssKb);
    for (Row r : rows) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %,d | %,d | **%,d** | %.2fx | %.1f | %.1f | %s |%n",
              r.events,
              r.accounts,
              r.peakRssKb / 1024,
              (double) r.peakRssKb / base,
              r.seconds,
              r.cpuSeconds,
              r.output));
    }
    return out.toString();
  }
}
