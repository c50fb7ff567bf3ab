package io.psyberg.flink.sink;

import static org.apache.flink.configuration.description.TextElement.text;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/** How a session's rows land in the target table (option {@code write-mode}). */
@PublicEvolving
public enum WriteMode implements DescribedEnum {
  /** Add the rows. */
  APPEND("append", "Add the rows."),
  /**
   * Replace rows with the same key (the table's identifier fields or the DDL primary key); for
   * corrections.
   */
  UPSERT("upsert", "Replace rows with the same primary key; for corrections."),
  /**
   * Apply a changelog with before-images: an insert adds a row, an update-before or delete removes
   * the row it carries (found by key, in the partition of the row as it was), an update-after adds
   * the new value. For corrections of a table partitioned by a column that changes for a key (a row
   * moves partition); the input must retract exactly what the table holds.
   */
  RETRACT(
      "retract",
      "Apply a changelog with before-images: -U/-D delete the row they carry (by key, in its"
          + " partition), +I/+U add rows; for corrections that move rows between partitions."),
  /**
   * Replace the target rows inside the session's change range with the new rows (recompute a
   * window).
   */
  OVERWRITE_RANGE("overwrite-range", "Replace the target rows inside the session's change range.");

  private final String value;
  private final String description;

  WriteMode(String value, String description) {
    this.value = value;
    this.description = description;
  }

  /** True for the modes that change rows by key (equality deletes): upsert and retract. */
  public boolean isKeyed() {
    return this == UPSERT || this == RETRACT;
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
