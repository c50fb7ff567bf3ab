package io.psyberg.flink.examples.signups;

import io.psyberg.flink.catalog.CatalogSpec;
import java.time.Duration;
import java.util.List;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * What one {@code signups} run does.
 *
 * @param process the process name; its high watermark lives in the target's snapshots
 * @param sources membership event tables
 * @param target the signup fact table
 * @param continuous run until stopped (else one bounded session)
 * @param interval continuous mode: how often new snapshots are looked for and checkpoints taken
 * @param catalog the warehouse's catalog
 * @param maxSnapshotsPerSession at most this many new snapshots per source table in one session (a
 *     bounded run then catches up in consecutive sessions); 0: no cap
 */
public record SignupsSettings(
    String process,
    List<TableIdentifier> sources,
    TableIdentifier target,
    boolean continuous,
    Duration interval,
    CatalogSpec catalog,
    int maxSnapshotsPerSession) {

  public SignupsSettings {
    sources = List.copyOf(sources);
    if (maxSnapshotsPerSession < 0) {
      throw new IllegalArgumentException(
          "Process "
              + process
              + ": max-snapshots-per-session must be 0 (no cap) or more, got "
              + maxSnapshotsPerSession);
    }
  }

  /** Settings without a cap on the snapshots per session. */
  public SignupsSettings(
      String process,
      List<TableIdentifier> sources,
      TableIdentifier target,
      boolean continuous,
      Duration interval,
      CatalogSpec catalog) {
    this(process, sources, target, continuous, interval, catalog, 0);
  }

  /** {@code bounded} or {@code continuous}. */
  public String mode() {
    return continuous ? "continuous" : "bounded";
  }

  /** Source names as the connector takes them. */
  public List<String> sourceNames() {
    return sources.stream().map(TableIdentifier::toString).toList();
  }
}
