package io.psyberg.flink.bench;

import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.backfill.BackfillStatus;
import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.backfill.BackfillRange;
import io.psyberg.flink.examples.backfill.Backfills;
import io.psyberg.flink.examples.lifecycle.LifecycleTables;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * The stateful half of the backfill benchmark: {@code backfill start --job lifecycle} against the
 * plain way to rebuild a lifecycle, a Flink batch job with Iceberg's source over the whole history
 * (a lifecycle depends on all of an account's events), the per-account recompute, and Iceberg's
 * sink into fresh tables. The range is the whole history, so both rebuild every segment and
 * anomaly.
 */
final class LifecycleBackfillRuns {
  static final String PROCESS = "bench_lifecycle";
  private static final String SEGMENTS = "bench.account_lifecycle";
  private static final String ANOMALIES = "bench.lifecycle_anomalies";

  private final CatalogSpec spec;
  private final Catalog catalog;
  private final String source;
  private final BackfillRange range;
  private final int cores;
  private final List<Double> plain = new ArrayList<>();
  private final List<Double> plainNet = new ArrayList<>();
  private final List<Double> plainAll = new ArrayList<>();
  private final List<Double> backfill = new ArrayList<>();
  private long rows = -1;

  LifecycleBackfillRuns(
      CatalogSpec spec, Catalog catalog, String source, BackfillRange range, int cores) {
    this.spec = spec;
    this.catalog = catalog;
    this.source = source;
    this.range = range;
    this.cores = cores;
  }

  /** The live lifecycle process publishes the history once (the backfill needs its targets). */
  void publishHistory(String warehouse) {
    PsybergRuns.lifecycle(warehouse, PROCESS, source, SEGMENTS, ANOMALIES);
  }

  /** One measured run of each side; a backfill that wrote other rows than the plain job fails. */
  void run(int run, Backfills backfills, PrintStream progress, List<String> failures)
      throws Exception {
    progress.printf("  run %d: plain lifecycle recompute ...%n", run);
    String segments = "bench.plain_lifecycle_" + run;
    String anomalies = "bench.plain_anomalies_" + run;
    long t0 = System.nanoTime();
    plainNet.add(
        (double)
            FullRecompute.lifecycle(
                    LocalFlink.env(1),
                    spec,
                    source,
                    fresh(segments, LifecycleTables.LIFECYCLE),
                    fresh(anomalies, LifecycleTables.ANOMALIES))
                .getNetRuntime());
    plain.add((System.nanoTime() - t0) / 1e6);
    long plainRows = rowCount(segments) + rowCount(anomalies);

    progress.printf("  run %d: plain lifecycle recompute, parallelism %d ...%n", run, cores);
    String segmentsAll = "bench.plain_all_lifecycle_" + run;
    String anomaliesAll = "bench.plain_all_anomalies_" + run;
    t0 = System.nanoTime();
    FullRecompute.lifecycle(
        LocalFlink.env(cores),
        spec,
        source,
        fresh(segmentsAll, LifecycleTables.LIFECYCLE),
        fresh(anomaliesAll, LifecycleTables.ANOMALIES));
    plainAll.add((System.nanoTime() - t0) / 1e6);
    long allRows = rowCount(segmentsAll) + rowCount(anomaliesAll);
    if (allRows != plainRows) {
      failures.add(
          String.format(
              "the plain lifecycle recompute wrote %,d rows at parallelism 1 and %,d at %d",
              plainRows, allRows, cores));
    }

    progress.printf("  run %d: backfill --job lifecycle ...%n", run);
    t0 = System.nanoTime();
    Backfill b = backfills.start(PROCESS, "lifecycle", null, range, 0);
    backfill.add((System.nanoTime() - t0) / 1e6);
    if (b.status() != BackfillStatus.BUILT || b.rowsWritten() != plainRows) {
      failures.add(
          String.format(
              "backfill --job lifecycle is %s with %,d rows; the plain recompute wrote %,d",
              b.status(), b.rowsWritten(), plainRows));
    }
    backfills.abort(b.backfillId());
    rows = plainRows;
  }

  private String fresh(String name, Schema shape) {
    LifecycleTables.ensure(catalog, name, shape);
    return name;
  }

  private long rowCount(String name) {
    return BackfillBenchmark.rowCount(catalog.loadTable(TableIdentifier.parse(name)));
  }

  /** The lifecycle table of the report. */
  void markdown(StringBuilder md, long events, int runs) {
    double p = LocalFlink.median(plain);
    double all = LocalFlink.median(plainAll);
    md.append(
        String.format(
            Locale.ROOT,
            "%n## Lifecycle backfill throughput%n%nThe lifecycle of every account over the same"
                + " %,d events, rebuilt into %,d rows (segments and anomalies); median of %d"
                + " run(s). A lifecycle depends on all of an account's events, so both sides read"
                + " the whole history.%n%n",
            events,
            rows,
            runs));
    BackfillBenchmark.header(md, cores);
    BackfillBenchmark.row(
        md,
        "plain Iceberg source -> keyed recompute -> Iceberg sink, parallelism 1",
        p,
        events,
        p,
        all);
    BackfillBenchmark.row(
        md,
        "plain Iceberg source -> keyed recompute -> Iceberg sink, parallelism " + cores,
        all,
        events,
        p,
        all);
    BackfillBenchmark.row(
        md,
        "backfill --job lifecycle (in the CLI's JVM, no Flink job)",
        LocalFlink.median(backfill),
        events,
        p,
        all);
    md.append(
        String.format(
            Locale.ROOT,
            "%nThe plain lifecycle job's net runtime at parallelism 1 was %s ms.%n",
            LocalFlink.ms(LocalFlink.median(plainNet))));
  }
}
