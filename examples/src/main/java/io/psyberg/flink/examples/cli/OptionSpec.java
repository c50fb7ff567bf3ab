package io.psyberg.flink.examples.cli;

import java.util.Objects;

/**
 * One option of a command: {@code --name VALUE} (or {@code --name=VALUE}) when it has a value name,
 * a plain flag such as {@code --help} otherwise.
 *
 * @param name the option without its leading dashes, e.g. {@code warehouse}
 * @param valueName how the usage text names the value, e.g. {@code DIR}; {@code null} for a flag
 * @param description one line for the usage text
 * @param defaultValue shown in the usage text and returned when the option is absent; may be null
 * @param repeatable whether the option may be given more than once (each value is kept, see {@link
 *     ParsedArgs#all})
 */
public record OptionSpec(
    String name, String valueName, String description, String defaultValue, boolean repeatable) {

  public OptionSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
  }

  /** An option that takes a value and has no default. */
  public static OptionSpec value(String name, String valueName, String description) {
    return new OptionSpec(name, valueName, description, null, false);
  }

  /** An option that takes a value and may be given several times, e.g. {@code --opt k=v}. */
  public static OptionSpec repeatable(String name, String valueName, String description) {
    return new OptionSpec(name, valueName, description, null, true);
  }

  /** An option that takes a value and has a default. */
  public static OptionSpec value(
      String name, String valueName, String description, String defaultValue) {
    return new OptionSpec(name, valueName, description, defaultValue, false);
  }

  /** An option without a value. */
  public static OptionSpec flag(String name, String description) {
    return new OptionSpec(name, null, description, null, false);
  }

  public boolean isFlag() {
    return valueName == null;
  }

  /** {@code --name VALUE} or {@code --name}. */
  public String synopsis() {
    String one = isFlag() ? "--" + name : "--" + name + " " + valueName;
    return repeatable ? one + " ..." : one;
  }
}
