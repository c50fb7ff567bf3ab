package io.psyberg.flink.planning;

import static org.apache.flink.configuration.description.TextElement.text;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/**
 * What to do when the history of a source table cannot say which rows are new since a process's
 * high watermark (option {@code on-lost-hwm}): its snapshot is no longer an ancestor of main
 * (rolled back), it was expired without a recorded sequence number, or a compaction mixed processed
 * and new rows in snapshots expired before they were read. Fail by default; the other two reprocess
 * every live row of the table, which a keyed (upsert) target absorbs and an append target doubles.
 */
@PublicEvolving
public enum OnLostHighWatermark implements DescribedEnum {
  FAIL("fail", "Fail, naming the table and what to do."),
  EARLIEST(
      "earliest",
      "Reprocess every live row for any target (an append target then holds rows twice)."),
  REPROCESS_BY_KEY(
      "reprocess-by-key",
      "Reprocess every live row; for targets with a key (write-mode upsert), which absorb them.");

  private final String value;
  private final String description;

  OnLostHighWatermark(String value, String description) {
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
