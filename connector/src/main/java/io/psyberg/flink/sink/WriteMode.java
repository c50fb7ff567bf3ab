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

  @Override
  public String toString() {
    return value;
  }

  @Override
  public InlineElement getDescription() {
    return text(description);
  }
}
