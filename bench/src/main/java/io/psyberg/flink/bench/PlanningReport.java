package io.psyberg.flink.bench;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.annotation.Nullable;

/** The planning benchmark's report: the scenarios as Markdown tables, with growth and slopes. */
final class PlanningReport {
  private final List<Integer> histories;
  private final List<Integer> newSnapshots;
  private final int warmup;
  private final int repeats;
  private final int budgetSeconds;
  private final double warmupKeptMillis;
  private final boolean commitEach;

  PlanningReport(
      List<Integer> histories,
      List<Integer> newSnapshots,
      int warmup,
      int repeats,
      int budgetSeconds,
      double warmupKeptMillis,
      boolean commitEach) {
    this.histories = histories;
    this.newSnapshots = newSnapshots;
    this.warmup = warmup;
    this.repeats = repeats;
    this.budgetSeconds = budgetSeconds;
    this.warmupKeptMillis = warmupKeptMillis;
    this.commitEach = commitEach;
  }

  String render(List<PlanningRow> rows, Map<Integer, HistoryTables.Built> built, double seconds) {
    StringBuilder out = new StringBuilder();
    Runtime rt = Runtime.getRuntime();
    out.append("## Session planning vs Iceberg incremental append scan\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "Run %s; JDK %s; %d cores; max heap %d MiB; 5 unmeasured rounds on the smallest table"
                + " first; per scenario warm-up %d round(s), up to %d measured rounds (budget %d s"
                + " per scenario; a warm-up round over %.0f s is kept as measured); medians; CPU ="
                + " all JVM threads (%s); history built with %s; total %.0f s.%n%n",
            ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
            System.getProperty("java.version"),
            rt.availableProcessors(),
            rt.maxMemory() / (1024 * 1024),
            warmup,
            repeats,
            budgetSeconds,
            warmupKeptMillis / 1000,
            CpuClock.source(),
            commitEach
                ? "one table commit per fast append"
                : "one fast append per snapshot, metadata JSON written every "
                    + HistoryTables.APPENDS_PER_FLUSH,
            seconds));
    out.append("| table | snapshots | metadata JSON | build |\n|---|---:|---:|---:|\n");
    for (HistoryTables.Built b : built.values()) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %.2f MB | %s |%n",
              b.name,
              b.snapshots,
              b.metadataJsonBytes / 1e6,
              b.reused ? "reused" : String.format(Locale.ROOT, "%.1f s", b.buildMillis / 1e3)));
    }
    out.append('\n');
    out.append(
        "| history (snapshots) | new snapshots | files planned | psyberg ms | iceberg ms |"
            + " speedup (iceberg / psyberg) | psyberg CPU ms | iceberg CPU ms | CPU ratio |"
            + " GC ms psyberg / iceberg | table load ms (in both) | psyberg with nothing new ms"
            + " | rounds |\n");
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (PlanningRow r : rows) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %,d | %,d | %,d | %s | %s | **%.1fx** | %s | %s | %.1fx | %.0f / %.0f | %s | %s |"
                  + " %d%s |%n",
              r.history,
              r.newSnapshots,
              r.files,
              ms(r.psyberg),
              ms(r.iceberg),
              r.iceberg / r.psyberg,
              ms(r.psybergCpu),
              ms(r.icebergCpu),
              r.icebergCpu / r.psybergCpu,
              r.psybergGc,
              r.icebergGc,
              ms(r.load),
              ms(r.fixed),
              r.rounds,
              r.warmupKept ? " (1st kept)" : ""));
    }

    out.append(
        "\n"
            + "psyberg = `PsybergSource.planNextSession()` from a start position N snapshots back"
            + " (opens the catalog, reads the process's high watermarks, loads the table, plans);"
            + " psyberg with nothing new = the same from the latest snapshot, its fixed cost.\n");

    int hMin = histories.get(0);
    int hMax = histories.get(histories.size() - 1);
    if (hMin != hMax) {
      out.append(
          String.format(
              Locale.ROOT,
              "%nGrowth with history at equal new snapshots: t(H=%,d) / t(H=%,d)%n%n",
              hMax,
              hMin));
      out.append(
          "| new snapshots | psyberg | iceberg | psyberg (CPU) | iceberg (CPU) | table load |\n"
              + "|---:|---:|---:|---:|---:|---:|\n");
      for (int n : newSnapshots) {
        PlanningRow small = find(rows, hMin, n);
        PlanningRow large = find(rows, hMax, n);
        if (small != null && large != null) {
          out.append(
              String.format(
                  Locale.ROOT,
                  "| %,d | %.2fx | %.2fx | %.2fx | %.2fx | %.2fx |%n",
                  n,
                  large.psyberg / small.psyberg,
                  large.iceberg / small.iceberg,
                  large.psybergCpu / small.psybergCpu,
                  large.icebergCpu / small.icebergCpu,
                  large.load / small.load));
        }
      }
    }

    // Marginal cost of one more new snapshot: the slope between the smallest and largest N per
    // history.
    out.append("\nCost per additional new snapshot, (t(N_max) - t(N_min)) / (N_max - N_min)\n\n");
    out.append(
        "| history | N range | psyberg ms/snapshot | iceberg ms/snapshot |\n"
            + "|---:|---|---:|---:|\n");
    for (int h : histories) {
      List<PlanningRow> ofH =
          rows.stream()
              .filter(r -> r.history == h)
              .sorted(Comparator.comparingInt(r -> r.newSnapshots))
              .toList();
      if (ofH.size() >= 2) {
        PlanningRow lo = ofH.get(0);
        PlanningRow hi = ofH.get(ofH.size() - 1);
        int dn = hi.newSnapshots - lo.newSnapshots;
        out.append(
            String.format(
                Locale.ROOT,
                "| %,d | %,d..%,d | %.3f | %.3f |%n",
                h,
                lo.newSnapshots,
                hi.newSnapshots,
                (hi.psyberg - lo.psyberg) / dn,
                (hi.iceberg - lo.iceberg) / dn));
      }
    }
    return out.toString();
  }

  @Nullable
  private static PlanningRow find(List<PlanningRow> rows, int history, int n) {
    return rows.stream()
        .filter(r -> r.history == history && r.newSnapshots == n)
        .findFirst()
        .orElse(null);
  }

  static String ms(double millis) {
    if (millis < 10) {
      return String.format(Locale.ROOT, "%.2f", millis);
    }
    if (millis < 100) {
      return String.format(Locale.ROOT, "%.1f", millis);
    }
    return String.format(Locale.ROOT, "%,.0f", millis);
  }
}
