package io.psyberg.flink.metrics;

import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Every Flink metric psyberg reports, with its kind and where it is reported. All of them sit under
 * the group {@code psyberg} with the process name as the variable {@code process}; per-table and
 * per-audit metrics add a {@code table} or {@code audit} variable. The README's metrics table lists
 * exactly these.
 */
@PublicEvolving
public enum PsybergMetric {
  SESSIONS_PLANNED(
      "sessionsPlanned", Kind.COUNTER, Scope.SOURCE, "Sessions the source planned (non-empty)."),
  SOURCE_SESSIONS_EMPTY(
      "sessionsEmpty",
      Kind.COUNTER,
      Scope.SOURCE,
      "Bounded runs that found nothing new since the high watermark."),
  PLANNING_TIME("planningTimeMs", Kind.HISTOGRAM, Scope.SOURCE, "Time to plan a session (ms)."),
  HWM_LAG_SNAPSHOTS(
      "hwmLagSnapshots",
      Kind.GAUGE,
      Scope.SOURCE_TABLE,
      "Snapshots of the source table after the position the source has planned up to."),
  HWM_LAG_SECONDS(
      "hwmLagSeconds",
      Kind.GAUGE,
      Scope.SOURCE_TABLE,
      "Commit time of the source table's head minus that of the position planned up to (s)."),
  RECORDS_WRITTEN(
      "recordsWritten", Kind.COUNTER, Scope.WRITER, "Rows written into data files by a writer."),
  DATA_FILES_WRITTEN("dataFilesWritten", Kind.COUNTER, Scope.WRITER, "Data files written."),
  DELETE_FILES_WRITTEN(
      "deleteFilesWritten", Kind.COUNTER, Scope.WRITER, "Delete files written (upsert, retract)."),
  SESSIONS_PUBLISHED(
      "sessionsPublished", Kind.COUNTER, Scope.COMMITTER, "Sessions published to the target."),
  SESSIONS_EMPTY(
      "sessionsEmpty",
      Kind.COUNTER,
      Scope.COMMITTER,
      "Sessions with nothing to publish (recorded EMPTY)."),
  SESSIONS_FAILED(
      "sessionsFailed",
      Kind.COUNTER,
      Scope.COMMITTER,
      "Sessions whose publish failed, a failed audit included (nothing published)."),
  SESSION_RECORDS("sessionRecords", Kind.HISTOGRAM, Scope.COMMITTER, "Rows per published session."),
  SESSION_DATA_FILES(
      "sessionDataFiles", Kind.HISTOGRAM, Scope.COMMITTER, "Data files per published session."),
  LAST_SESSION_RECORDS(
      "lastSessionRecords", Kind.GAUGE, Scope.COMMITTER, "Rows of the last published session."),
  LAST_SESSION_DATA_FILES(
      "lastSessionDataFiles",
      Kind.GAUGE,
      Scope.COMMITTER,
      "Data files of the last published session."),
  STAGE_TIME(
      "stageTimeMs", Kind.HISTOGRAM, Scope.COMMITTER, "Time to stage a session on its branch."),
  AUDIT_TIME("auditTimeMs", Kind.HISTOGRAM, Scope.COMMITTER, "Time to run a session's audits."),
  PUBLISH_TIME(
      "publishTimeMs",
      Kind.HISTOGRAM,
      Scope.COMMITTER,
      "Time from the audits' end to main fast-forwarded."),
  PUBLISH_RETRIES(
      "publishRetries",
      Kind.COUNTER,
      Scope.COMMITTER,
      "Publish attempts repeated because a commit to the target kept failing (busy catalog)."),
  RESTAGES(
      "restages",
      Kind.COUNTER,
      Scope.COMMITTER,
      "Sessions staged and audited again because another writer moved main or the branch."),
  METADATA_COMPACTIONS(
      "metadataCompactions",
      Kind.GAUGE,
      Scope.COMMITTER,
      "Compactions of the metadata tables done by the committer's writes."),
  AUDITS_PASSED("passed", Kind.COUNTER, Scope.COMMITTER_AUDIT, "Runs of the audit that passed."),
  AUDITS_FAILED(
      "failed",
      Kind.COUNTER,
      Scope.COMMITTER_AUDIT,
      "Runs of the audit that failed with severity error (blocked the publish)."),
  AUDITS_WARNED(
      "warned",
      Kind.COUNTER,
      Scope.COMMITTER_AUDIT,
      "Runs of the audit that failed with severity warn (recorded, published).");

  /** The group every psyberg metric sits under. */
  public static final String GROUP = "psyberg";

  /** The variable naming the process. */
  public static final String PROCESS = "process";

  /** The variable naming a source table. */
  public static final String TABLE = "table";

  /** The variable naming an audit. */
  public static final String AUDIT = "audit";

  /** How Flink reports a metric. */
  @PublicEvolving
  public enum Kind {
    COUNTER,
    GAUGE,
    HISTOGRAM;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Which part of the job reports a metric, and the variables it carries besides the process. */
  @PublicEvolving
  public enum Scope {
    SOURCE("source (enumerator)"),
    SOURCE_TABLE("source (enumerator), per `table`"),
    WRITER("sink writer"),
    COMMITTER("sink committer"),
    COMMITTER_AUDIT("sink committer, per `audit`");

    private final String text;

    Scope(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  private final String metricName;
  private final Kind kind;
  private final Scope scope;
  private final String description;

  PsybergMetric(String metricName, Kind kind, Scope scope, String description) {
    this.metricName = metricName;
    this.kind = kind;
    this.scope = scope;
    this.description = description;
  }

  /** The name Flink reports the metric under, in its group. */
  public String metricName() {
    return metricName;
  }

  public Kind kind() {
    return kind;
  }

  public Scope scope() {
    return scope;
  }

  public String description() {
    return description;
  }
}
