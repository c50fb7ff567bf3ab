package io.psyberg.flink.sink.audit;

import static org.apache.flink.configuration.description.TextElement.text;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/**
 * Whether a failed audit blocks the publish ({@code error}) or is only recorded ({@code warn});
 * option {@code audit.<name>.severity}.
 */
@PublicEvolving
public enum Severity implements DescribedEnum {
  ERROR("error", "A failure blocks the publish."),
  WARN("warn", "A failure is recorded; the publish goes on.");

  private final String value;
  private final String description;

  Severity(String value, String description) {
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
