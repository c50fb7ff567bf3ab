package io.psyberg.flink.examples.reliability;

import static io.psyberg.flink.examples.reliability.Expected.ANOMALY_COLUMNS;
import static io.psyberg.flink.examples.reliability.Expected.FACT_COLUMNS;
import static io.psyberg.flink.examples.reliability.Expected.SEGMENT_COLUMNS;

import io.psyberg.flink.stateful.lifecycle.LifecycleResult;
import java.util.List;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * The exactly-once checks of the two example pipelines, on one source table. "At the high
 * watermark": what a target holds equals the expected result over the source as of the snapshot its
 * published high watermark names (holds after any failure: data and high watermark are one commit).
 * "Exact": in addition every target stands at the source's head and the metadata tables agree with
 * what was published.
 */
final class ExactlyOnce {
  private final Catalog catalog;
  private final PublishChecks checks;
  private final String source;

  ExactlyOnce(Catalog catalog, String process, String source) {
    this.catalog = catalog;
    this.checks = new PublishChecks(catalog, process);
    this.source = source;
  }

  void signupsAtHighWatermark(String facts) {
    checks.publishedSessions(facts);
    Long hwm = checks.highWatermark(facts, source);
    SameRows.assertSame(
        String.format("facts published with high watermark %s", hwm),
        Expected.published(catalog, facts, FACT_COLUMNS),
        Expected.signupFacts(catalog, source, hwm));
  }

  void signupsExact(String facts) {
    SameRows.assertSame(
        "facts",
        Expected.published(catalog, facts, FACT_COLUMNS),
        Expected.signupFacts(catalog, source, head()));
    checks.assertAtHead(List.of(facts), source);
    checks.assertConsistent(List.of(facts), List.of(source));
  }

  void lifecycleAtHighWatermarks(String lifecycle, String anomalies) {
    checks.publishedSessions(lifecycle);
    checks.publishedSessions(anomalies);
    Long lifecycleAt = checks.highWatermark(lifecycle, source);
    Long anomaliesAt = checks.highWatermark(anomalies, source);
    SameRows.assertSame(
        String.format("segments published with high watermark %s", lifecycleAt),
        Expected.published(catalog, lifecycle, SEGMENT_COLUMNS),
        Expected.segments(Expected.lifecycle(catalog, source, lifecycleAt)));
    SameRows.assertSame(
        String.format("anomalies published with high watermark %s", anomaliesAt),
        Expected.published(catalog, anomalies, ANOMALY_COLUMNS),
        Expected.anomalies(Expected.lifecycle(catalog, source, anomaliesAt)));
  }

  void lifecycleExact(String lifecycle, String anomalies) {
    lifecycleRowsAtHead(lifecycle, anomalies);
    checks.assertConsistent(List.of(lifecycle, anomalies), List.of(source));
  }

  /**
   * The targets' rows equal the full recompute and both stand at the source's head; the session log
   * is not checked (e.g. after a user rolled a target back, its session stays PUBLISHED there).
   */
  void lifecycleRowsAtHead(String lifecycle, String anomalies) {
    LifecycleResult all = Expected.lifecycle(catalog, source, head());
    SameRows.assertSame(
        "segments",
        Expected.published(catalog, lifecycle, SEGMENT_COLUMNS),
        Expected.segments(all));
    SameRows.assertSame(
        "anomalies",
        Expected.published(catalog, anomalies, ANOMALY_COLUMNS),
        Expected.anomalies(all));
    checks.assertAtHead(List.of(lifecycle, anomalies), source);
  }

  private Long head() {
    return catalog.loadTable(TableIdentifier.parse(source)).currentSnapshot().snapshotId();
  }
}
