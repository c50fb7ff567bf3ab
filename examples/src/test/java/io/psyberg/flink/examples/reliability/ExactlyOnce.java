package io.psyberg.flink.examples.reliability;

import static io.psyberg.flink.examples.reliability.Expected.ANOMALY_COLUMNS;
import static io.psyberg.flink.examples.reliability.Expected.FACT_COLUMNS;
import static io.psyberg.flink.examples.reliability.Expected.SEGMENT_COLUMNS;
import static org.assertj.core.api.Assertions.assertThat;

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
    assertThat(Expected.published(catalog, facts, FACT_COLUMNS))
        .as("facts published with high watermark %s", hwm)
        .isEqualTo(Expected.signupFacts(catalog, source, hwm));
  }

  void signupsExact(String facts) {
    assertThat(Expected.published(catalog, facts, FACT_COLUMNS))
        .as("facts")
        .isEqualTo(Expected.signupFacts(catalog, source, head()));
    checks.assertAtHead(List.of(facts), source);
    checks.assertConsistent(List.of(facts), List.of(source));
  }

  void lifecycleAtHighWatermarks(String lifecycle, String anomalies) {
    checks.publishedSessions(lifecycle);
    checks.publishedSessions(anomalies);
    Long lifecycleAt = checks.highWatermark(lifecycle, source);
    Long anomaliesAt = checks.highWatermark(anomalies, source);
    assertThat(Expected.published(catalog, lifecycle, SEGMENT_COLUMNS))
        .as("segments published with high watermark %s", lifecycleAt)
        .isEqualTo(Expected.segments(Expected.lifecycle(catalog, source, lifecycleAt)));
    assertThat(Expected.published(catalog, anomalies, ANOMALY_COLUMNS))
        .as("anomalies published with high watermark %s", anomaliesAt)
        .isEqualTo(Expected.anomalies(Expected.lifecycle(catalog, source, anomaliesAt)));
  }

  void lifecycleExact(String lifecycle, String anomalies) {
    LifecycleResult all = Expected.lifecycle(catalog, source, head());
    assertThat(Expected.published(catalog, lifecycle, SEGMENT_COLUMNS))
        .as("segments")
        .isEqualTo(Expected.segments(all));
    assertThat(Expected.published(catalog, anomalies, ANOMALY_COLUMNS))
        .as("anomalies")
        .isEqualTo(Expected.anomalies(all));
    checks.assertAtHead(List.of(lifecycle, anomalies), source);
    checks.assertConsistent(List.of(lifecycle, anomalies), List.of(source));
  }

  private Long head() {
    return catalog.loadTable(TableIdentifier.parse(source)).currentSnapshot().snapshotId();
  }
}
