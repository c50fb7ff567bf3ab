package io.psyberg.flink.bench;

import java.lang.management.ManagementFactory;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The incremental benchmark's markdown: the timed runs, the first loads, ratios and goals. */
final class IncrementalReport {
  private IncrementalReport() {}

  static String markdown(
      List<IncrementalRow> rows,
      Map<IncrementalScenario, Double> seconds,
      int accounts,
      int latePercent,
      double totalSeconds,
      double loadAtStart,
      int dailyRuns,
      int repeats,
      int firstRuns,
      int warmUpRuns,
      String warmUpUntil,
      boolean standingCluster) {
    StringBuilder out = new StringBuilder();
    Runtime rt = Runtime.getRuntime();
    out.append("## Incremental run vs full recompute\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "Run %s; JDK %s; %d cores; heap %s; after an untimed warm-up of both sides (a"
                + " first load of %d days of %,d rows, then %d run%s of %d new rows%s);"
                + " scenarios"
                + " NEWxDAYS: a history of DAYS snapshots (one per day, 1%% of each day's rows"
                + " late, in the day before), then %s%s of NEW rows (%d%% late, in the day before);"
                + " %,d accounts; local Flink (parallelism %d), %s; CPU = process CPU time of the"
                + " JVM, the heap collected (untimed) before each run; total %.0f s; load average"
                + " %.1f at the start, %.1f at the end.%n%n",
            ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
            System.getProperty("java.version"),
            rt.availableProcessors(),
            heap(),
            IncrementalBenchmark.WARM_UP.days(),
            IncrementalBenchmark.WARM_UP.historyBatch(),
            warmUpRuns,
            warmUpRuns == 1 ? "" : "s",
            IncrementalBenchmark.WARM_UP.newRows(),
            warmUpUntil,
            dailyRuns == 0
                ? ""
                : dailyRuns
                    + " days of NEW rows each processed by an untimed psyberg run (both jobs), then"
                    + " ",
            repeats == 1
                ? "one new snapshot"
                : repeats
                    + " new snapshots, one after the other, each processed by both sides and"
                    + " timed (the medians are reported),",
            latePercent,
            accounts,
            rt.availableProcessors(),
            standingCluster
                ? "every job of both sides submitted to one standing local cluster (as scheduled"
                    + " runs are to a session cluster)"
                : "each job on a local cluster of its own, started and stopped by its execute()",
            totalSeconds,
            loadAtStart,
            loadAverage()));
    out.append("| scenario | history rows | rows per day | first load sessions | runtime s |\n");
    out.append("|---|---:|---:|---:|---:|\n");
    for (Map.Entry<IncrementalScenario, Double> e : seconds.entrySet()) {
      IncrementalScenario s = e.getKey();
      int step = s.sessionDays() > 0 ? s.sessionDays() : s.days();
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %,d | %d | %.0f |%n",
              s.label(),
              s.historyRows(),
              s.historyBatch(),
              (s.days() + step - 1) / step,
              e.getValue()));
    }
    out.append(
        "\n| job | history rows | new rows | new / history | psyberg s | full recompute s | psyberg"
            + " CPU s | full CPU s | psyberg / full (wall) | psyberg / full (CPU) | less compute"
            + " (CPU) | outputs |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (IncrementalRow r : rows) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %,d | %s | %.1f | %s | %.1f | %s | %s | %s | %s | %s |%n",
              r.job(),
              r.historyRows(),
              r.newRows(),
              r.scenario().share(),
              r.psyberg().wallMillis() / 1e3,
              r.hasFull() ? seconds(r.full().wallMillis()) : "—",
              r.psyberg().cpuMillis() / 1e3,
              r.hasFull() ? seconds(r.full().cpuMillis()) : "—",
              r.hasFull() ? ratio(r.psyberg().wallMillis() / r.full().wallMillis()) : "—",
              r.hasFull() ? ratio(r.psyberg().cpuMillis() / r.full().cpuMillis()) : "—",
              r.hasFull()
                  ? String.format(
                      Locale.ROOT,
                      "**%.0f%%**",
                      100 * (1 - r.psyberg().cpuMillis() / r.full().cpuMillis()))
                  : "—",
              r.outputs()));
    }
    out.append(
        "\n"
            + "The first runs over the history (psyberg's first load reads everything, like the"
            + " full recompute), with the old generation's peak during psyberg's loads. A history"
            + " loaded in one session: the median of "
            + firstRuns
            + " first run"
            + (firstRuns == 1 ? "" : "s")
            + " a side, which side runs first alternating (psyberg's after the first are new"
            + " processes writing new targets); a scaled history loads once, in several bounded"
            + " sessions, summed:\n\n");
    out.append(
        "| job | history rows | psyberg first run s (CPU s) | psyberg peak old gen MiB | full"
            + " recompute s (CPU s) | psyberg / full (wall) |\n"
            + "|---|---:|---:|---:|---:|---:|\n");
    for (IncrementalRow r : rows) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %.1f (%.1f) | %,d | %s | %s |%n",
              r.job(),
              r.historyRows(),
              r.firstPsyberg().wallMillis() / 1e3,
              r.firstPsyberg().cpuMillis() / 1e3,
              r.firstPeakHeapMib(),
              r.hasFull()
                  ? String.format(
                      Locale.ROOT,
                      "%.1f (%.1f)",
                      r.firstFull().wallMillis() / 1e3,
                      r.firstFull().cpuMillis() / 1e3)
                  : "—",
              r.hasFull()
                  ? ratio(r.firstPsyberg().wallMillis() / r.firstFull().wallMillis())
                  : "—"));
    }
    out.append(jvmShare(rows));
    out.append(IncrementalGoals.table(rows));
    return out.toString();
  }

  /**
   * How much of each timed run's CPU was the JVM's own upkeep (the JIT compiling, the garbage
   * collector's threads) rather than the job's threads: medians, like the CPU they are part of.
   */
  private static String jvmShare(List<IncrementalRow> rows) {
    StringBuilder out =
        new StringBuilder(
            "\nThe JVM's own share of the timed runs' CPU (medians): the CPU of the JIT compiler"
                + " threads and of the garbage collector threads, and what is left for the job's"
                + " threads:\n\n"
                + "| job | history rows | new rows | psyberg CPU s | JIT s | GC s | own s | full"
                + " CPU s | JIT s | GC s | own s |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (IncrementalRow r : rows) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %,d | %s | %s |%n",
              r.job(),
              r.historyRows(),
              r.newRows(),
              upkeep(r.psyberg()),
              r.hasFull() ? upkeep(r.full()) : "— | — | — | —"));
    }
    return out.toString();
  }

  private static String upkeep(ProcessCost c) {
    return String.format(
        Locale.ROOT,
        "%.2f | %.2f | %.2f | %.2f",
        c.cpuMillis() / 1e3,
        c.jitMillis() / 1e3,
        c.gcMillis() / 1e3,
        c.ownCpuMillis() / 1e3);
  }

  /**
   * The heap's initial and maximum size. Each run starts after a full collection, after which a
   * heap that may shrink gives memory back and the run grows it again (more young collections,
   * memory committed anew): runs then cost about twice the CPU, both sides. A Flink TaskManager's
   * heap is fixed ({@code -Xms} = {@code -Xmx}, as Flink starts it).
   */
  static String heap() {
    long max = Runtime.getRuntime().maxMemory() / (1024 * 1024);
    long initial =
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit() / (1024 * 1024);
    return initial >= max
        ? String.format(Locale.ROOT, "%d MiB, fixed (-Xms = -Xmx, as a TaskManager's)", max)
        : String.format(
            Locale.ROOT,
            "%d MiB max, **%d MiB initial: not a TaskManager's fixed heap** (run with -Xms equal"
                + " to -Xmx; figures not comparable)",
            max,
            initial);
  }

  /** The machine's load average over the last minute: other work competing for the cores. */
  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static String seconds(double millis) {
    return String.format(Locale.ROOT, "%.1f", millis / 1e3);
  }

  private static String ratio(double r) {
    return String.format(Locale.ROOT, "%.2f", r);
  }
}
