package io.psyberg.flink.changes;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SourceRange;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.iceberg.catalog.Catalog;

/**
 * What is new in a source table since a process's high watermark: the session a capture or a
 * bounded run would plan now (snapshots, files, records, change range), from metadata only and
 * without recording anything. A scheduler's trigger: run the job only when there is work.
 */
@PublicEvolving
public final class PendingData {
  private static final String PLAN_ONLY = "pending-check";

  private final Session session;

  private PendingData(Session session) {
    this.session = session;
  }

  /** Plans (and records nothing) what is new for the settings' process and source table. */
  public static PendingData check(ChangeSettings settings) {
    Catalog c = settings.catalog().open();
    try {
      return new PendingData(settings.plan(c, PLAN_ONLY, settings.positions(c)).session());
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  /** Whether there are new snapshots since the high watermark. */
  public boolean hasNewData() {
    return session.hasNewSnapshots();
  }

  /** The range of the source table: (from, to], snapshots, files, records, change range. */
  public SourceRange range() {
    return session.ranges().get(0);
  }
}
