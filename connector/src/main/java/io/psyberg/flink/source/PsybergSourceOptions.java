package io.psyberg.flink.source;

import static org.apache.flink.configuration.description.TextElement.text;

import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.OnLostHighWatermark;
import io.psyberg.flink.session.Processing;
import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/**
 * Options of the session source, shared by {@link PsybergSourceBuilder} and the SQL connector.
 * Catalog options are in {@link io.psyberg.flink.catalog.PsybergCatalogOptions}.
 */
@PublicEvolving
public final class PsybergSourceOptions {

  /** How a source runs. */
  @PublicEvolving
  public enum Mode implements DescribedEnum {
    BOUNDED("bounded", "Read everything new since the high watermark as one session, then finish."),
    CONTINUOUS("continuous", "Keep discovering new snapshots every 'monitor-interval'.");

    private final String value;
    private final String description;

    Mode(String value, String description) {
      this.value = value;
      this.description = description;
    }

    @Override
    public String toString() {
      return value;
    }

    @Override
    public InlineElement getDescription() {
      return text(description);
    }
  }

  public static final ConfigOption<String> TABLE =
      ConfigOptions.key("table")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Iceberg table as namespace.table. A source may name several, comma-separated, with"
                  + " one schema.");

  public static final ConfigOption<String> PROCESS_NAME =
      ConfigOptions.key("process-name")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Name of the incremental process. Its high watermark and sessions are kept under this"
                  + " name; a source and a sink with the same name in one job form one session.");

  public static final ConfigOption<Mode> MODE =
      ConfigOptions.key("mode")
          .enumType(Mode.class)
          .defaultValue(Mode.BOUNDED)
          .withDescription(
              "bounded: read everything new since the high watermark as one session, then finish."
                  + " continuous: keep discovering new snapshots every 'monitor-interval'.");

  public static final ConfigOption<Duration> MONITOR_INTERVAL =
      ConfigOptions.key("monitor-interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription("Continuous mode: how often to look for new snapshots.");

  public static final ConfigOption<String> START_FROM =
      ConfigOptions.key("start-from")
          .stringType()
          .defaultValue("earliest")
          .withDescription(
              "Where a process with no high watermark starts: earliest | latest | snapshot:<id>"
                  + " (that snapshot included) | timestamp:<ISO-8601> (snapshots committed at or"
                  + " after it).");

  public static final ConfigOption<NonAppendSnapshots> NON_APPEND_SNAPSHOTS =
      ConfigOptions.key("non-append-snapshots")
          .enumType(NonAppendSnapshots.class)
          .defaultValue(NonAppendSnapshots.FAIL)
          .withDescription(
              "Overwrite or delete snapshots in a range: fail (clear error naming the snapshot) |"
                  + " skip (logged and counted) | changelog (every snapshot's changes as rows with"
                  + " a row kind: +I, -D, and -U/+U by key). Replace snapshots (compaction) are"
                  + " always skipped.");

  public static final ConfigOption<String> CHANGELOG_KEY =
      ConfigOptions.key("changelog-key")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "With 'non-append-snapshots' = 'changelog': comma-separated key columns; a removal"
                  + " and an addition of the same key in one session become -U/+U."
                  + " Default: the table's identifier fields; without either, changes stay"
                  + " -D/+I.");

  public static final ConfigOption<OnLostHighWatermark> ON_LOST_HWM =
      ConfigOptions.key("on-lost-hwm")
          .enumType(OnLostHighWatermark.class)
          .defaultValue(OnLostHighWatermark.FAIL)
          .withDescription(
              "When the source's history cannot tell the rows new since the high watermark (its"
                  + " snapshot rolled back, or expired without a recorded sequence number, or"
                  + " processed and new rows compacted together in snapshots expired unread): fail"
                  + " | reprocess-by-key (reprocess every live row; for upsert targets) | earliest"
                  + " (the same for any target; doubles rows in an append target). An expired"
                  + " high-watermark snapshot alone needs none of these.");

  public static final ConfigOption<Integer> MAX_SNAPSHOTS_PER_SESSION =
      ConfigOptions.key("max-snapshots-per-session")
          .intType()
          .defaultValue(0)
          .withDescription(
              "Catch-up threshold: at most this many new snapshots per source table in one session"
                  + " (0 = no cap). A larger backlog is processed as consecutive sessions.");

  public static final ConfigOption<String> CHANGE_RANGE_COLUMN =
      ConfigOptions.key("change-range-column")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Column whose min/max over a session's new rows is recorded as its change range, from"
                  + " file metrics (no data read), e.g. event_ts.");

  public static final ConfigOption<Processing> PROCESSING =
      ConfigOptions.key("processing")
          .enumType(Processing.class)
          .defaultValue(Processing.STATELESS)
          .withDescription("Recorded on each session: stateless | stateful.");

  public static final ConfigOption<String> TARGET_TABLE =
      ConfigOptions.key("target-table")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Optional: the target table(s) whose published high watermark this source resumes"
                  + " from. Without it the target is found through the high_watermarks table.");

  public static final ConfigOption<Long> SPLIT_SIZE =
      ConfigOptions.key("split-size")
          .longType()
          .defaultValue(128L * 1024 * 1024)
          .withDescription("Data files larger than this many bytes are read as several splits.");

  private PsybergSourceOptions() {}
}
