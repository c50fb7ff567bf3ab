package io.psyberg.flink.planning;

import static org.apache.flink.configuration.description.TextElement.text;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/**
 * What to do when a process's high-watermark snapshot is no longer an ancestor of the source
 * table's main branch (expired, or the table was rolled back), option {@code on-lost-hwm}: fail by
 * default, or reprocess from the earliest snapshot still there.
 */
@PublicEvolving
public enum OnLostHighWatermark implements DescribedEnum {
  FAIL("fail", "Fail, naming the lost snapshot."),
  EARLIEST("earliest", "Reprocess from the oldest snapshot still there.");

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
