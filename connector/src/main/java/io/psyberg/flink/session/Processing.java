package io.psyberg.flink.session;

import static org.apache.flink.configuration.description.TextElement.text;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/** How a process transforms its rows, recorded on each session (option {@code processing}). */
@PublicEvolving
public enum Processing implements DescribedEnum {
  STATELESS("stateless", "Each row is transformed on its own."),
  STATEFUL("stateful", "Rows are combined with state kept across sessions.");

  private final String value;
  private final String description;

  Processing(String value, String description) {
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
