package io.psyberg.flink.planning;

import static org.apache.flink.configuration.description.TextElement.text;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/**
 * What to do with overwrite or delete snapshots in a source range (option {@code
 * non-append-snapshots}): incremental processing only sees appended rows, so by default such a
 * snapshot stops the session with an error that names it. Replace snapshots (compaction) add no
 * rows and are always skipped.
 */
@PublicEvolving
public enum NonAppendSnapshots implements DescribedEnum {
  /** Fail the session, naming the table, snapshot id and operation. */
  FAIL("fail", "Fail the session with an error naming the table, snapshot and operation."),
  /** Skip the snapshot, log it and count it on the session. */
  SKIP("skip", "Skip the snapshot; it is logged and counted on the session.");

  private final String value;
  private final String description;

  NonAppendSnapshots(String value, String description) {
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
