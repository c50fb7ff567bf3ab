package io.psyberg.flink.planning;

import static org.apache.flink.configuration.description.TextElement.text;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/**
 * What to do with overwrite or delete snapshots in a source range (option {@code
 * non-append-snapshots}): incremental processing only sees appended rows, so by default such a
 * snapshot stops the session with an error that names it, unless the process reads changes ({@link
 * #CHANGELOG}). Replace snapshots (compaction) add no rows and are always skipped.
 */
@PublicEvolving
public enum NonAppendSnapshots implements DescribedEnum {
  /** Fail the session, naming the table, snapshot id and operation. */
  FAIL("fail", "Fail the session with an error naming the table, snapshot and operation."),
  /** Skip the snapshot, log it and count it on the session. */
  SKIP("skip", "Skip the snapshot; it is logged and counted on the session."),
  /**
   * Read every snapshot as changes: appended rows as inserts, rows removed by an overwrite, a
   * deleted data file or a row-level delete as deletes (updates when keyed).
   */
  CHANGELOG(
      "changelog",
      "Emit each snapshot's changes with a row kind: appended rows +I, removed rows -D (-U/+U"
          + " for a key removed and added in one session).");

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
