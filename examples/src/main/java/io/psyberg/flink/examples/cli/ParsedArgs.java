package io.psyberg.flink.examples.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The options given to one command, parsed against its {@link OptionSpec}s. Accepts {@code --name
 * value} and {@code --name=value}; rejects unknown options, positional arguments, repeated options
 * (unless {@link OptionSpec#repeatable()}) and missing values with a {@link UsageException} that
 * names the argument.
 */
public final class ParsedArgs {
  private final Map<String, OptionSpec> specs;
  private final Map<String, List<String>> given;

  private ParsedArgs(Map<String, OptionSpec> specs, Map<String, List<String>> given) {
    this.specs = specs;
    this.given = given;
  }

  /** Parses {@code args} (the arguments after the command name). */
  public static ParsedArgs parse(List<OptionSpec> options, List<String> args)
      throws UsageException {
    Map<String, OptionSpec> specs = new LinkedHashMap<>();
    options.forEach(o -> specs.put(o.name(), o));
    Map<String, List<String>> given = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new UsageException("unexpected argument '" + arg + "' (options start with --)");
      }
      String name = arg.substring(2);
      String inlineValue = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        inlineValue = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      OptionSpec spec = specs.get(name);
      if (spec == null) {
        throw new UsageException("unknown option '--" + name + "'");
      }
      if (given.containsKey(name) && !spec.repeatable()) {
        throw new UsageException("option '--" + name + "' is given more than once");
      }
      String value;
      if (spec.isFlag()) {
        if (inlineValue != null) {
          throw new UsageException("option '--" + name + "' takes no value");
        }
        value = "true";
      } else if (inlineValue != null) {
        value = inlineValue;
      } else if (i + 1 < args.size() && !isOptionName(args.get(i + 1), specs)) {
        value = args.get(++i);
      } else {
        throw new UsageException("option '--" + name + "' needs a value (" + spec.synopsis() + ")");
      }
      given.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }
    return new ParsedArgs(specs, given);
  }

  /** A following argument is taken as a value unless it is one of the command's option names. */
  private static boolean isOptionName(String arg, Map<String, OptionSpec> specs) {
    if (!arg.startsWith("--")) {
      return false;
    }
    String name = arg.substring(2);
    int eq = name.indexOf('=');
    return specs.containsKey(eq >= 0 ? name.substring(0, eq) : name);
  }

  /** Whether the option (or flag) was given on the command line. */
  public boolean has(String name) {
    return given.containsKey(name);
  }

  /** The given value, else the option's default, else empty. */
  public Optional<String> get(String name) {
    List<String> values = given.get(name);
    String v = values == null ? null : values.get(values.size() - 1);
    if (v == null) {
      OptionSpec spec = specs.get(name);
      v = spec == null ? null : spec.defaultValue();
    }
    return Optional.ofNullable(v);
  }

  /** Every value of a repeatable option, in the order given; empty when absent. */
  public List<String> all(String name) {
    return List.copyOf(given.getOrDefault(name, List.of()));
  }

  /** The value of a mandatory option. */
  public String required(String name) throws UsageException {
    return get(name)
        .orElseThrow(() -> new UsageException("missing required option '--" + name + "'"));
  }

  /** A mandatory whole number of at least {@code min}. */
  public long requiredLong(String name, long min) throws UsageException {
    return parseLong(name, required(name), min);
  }

  /** An optional whole number; empty when absent and without default. */
  public Optional<Long> optionalLong(String name) throws UsageException {
    Optional<String> v = get(name);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(parseLong(name, v.get(), Long.MIN_VALUE));
  }

  /** A number in [0, 1]; {@code 0} when absent and without default. */
  public double fraction(String name) throws UsageException {
    Optional<String> v = get(name);
    if (v.isEmpty()) {
      return 0.0;
    }
    double d;
    try {
      d = Double.parseDouble(v.get().trim());
    } catch (NumberFormatException e) {
      throw new UsageException(
          "option '--" + name + "' must be a number between 0 and 1, got '" + v.get() + "'");
    }
    if (!(d >= 0.0 && d <= 1.0)) {
      throw new UsageException(
          "option '--" + name + "' must be a number between 0 and 1, got '" + v.get() + "'");
    }
    return d;
  }

  private static long parseLong(String name, String raw, long min) throws UsageException {
    long n;
    try {
      n = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("option '--" + name + "' must be a whole number, got '" + raw + "'");
    }
    if (n < min) {
      throw new UsageException("option '--" + name + "' must be at least " + min + ", got " + n);
    }
    return n;
  }
}
