package io.psyberg.flink.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * Reads typed option values from a {@link Configuration} with one error format for every option:
 * {@code <context>: invalid value '<value>' for option '<key>'. Valid values: ...}. Choice options
 * are enums whose {@code toString()} is the documented lower-case value (Flink's {@code
 * DescribedEnum} convention), matched case-insensitively as Flink does.
 */
@Internal
public final class OptionReader {
  private final Configuration config;
  private final Map<String, String> text;
  private final String context;

  /**
   * @param context names the process or table the options belong to, for error messages
   */
  public OptionReader(Configuration config, String context) {
    this.config = config;
    this.text = config.toMap();
    this.context = context;
  }

  public String context() {
    return context;
  }

  /** Whether the option was given (as opposed to left at its default). */
  public boolean contains(ConfigOption<?> option) {
    return config.contains(option);
  }

  /** The value of an option that is not a choice, or its default. */
  public <T> T get(ConfigOption<T> option) {
    try {
      return config.get(option);
    } catch (IllegalArgumentException e) {
      throw invalidValue(
          context, option.key(), text.get(option.key()), "Expected " + expected(option));
    }
  }

  public <T> Optional<T> getOptional(ConfigOption<T> option) {
    return Optional.ofNullable(get(option));
  }

  /** The value of a choice option, or its default. */
  public <E extends Enum<E>> E get(ConfigOption<E> option, Class<E> type) {
    String value = text.get(option.key());
    return value == null ? option.defaultValue() : choice(context, option.key(), value, type);
  }

  /** The constant of {@code type} whose lower-case value is {@code value}, in any case. */
  public static <E extends Enum<E>> E choice(
      String context, String key, String value, Class<E> type) {
    for (E e : type.getEnumConstants()) {
      if (e.toString().equalsIgnoreCase(value)) {
        return e;
      }
    }
    throw invalidValue(context, key, value, "Valid values: " + validValues(type));
  }

  /** The documented values of a choice, comma-separated. */
  public static String validValues(Class<? extends Enum<?>> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(Object::toString)
        .collect(Collectors.joining(", "));
  }

  /**
   * The one message for a bad option value.
   *
   * @param valid what is valid, e.g. {@code "Valid values: fail, skip"}
   */
  public static IllegalArgumentException invalidValue(
      String context, String key, Object value, String valid) {
    return new IllegalArgumentException(
        String.format("%s: invalid value '%s' for option '%s'. %s.", context, value, key, valid));
  }

  /** The options declared as static fields of an options class. */
  public static Set<ConfigOption<?>> declaredIn(Class<?> holder) {
    Set<ConfigOption<?>> out = new LinkedHashSet<>();
    for (Field f : holder.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
        try {
          out.add((ConfigOption<?>) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return out;
  }

  /**
   * Rejects keys that are neither one of {@code known} nor under one of {@code prefixes}.
   *
   * @throws IllegalArgumentException naming the key and listing the valid ones
   */
  public static void checkKeys(
      String context,
      Set<String> keys,
      Set<ConfigOption<?>> known,
      List<String> prefixes,
      String prefixedForms) {
    Set<String> valid = new TreeSet<>();
    known.forEach(o -> valid.add(o.key()));
    for (String key : keys) {
      if (!valid.contains(key) && prefixes.stream().noneMatch(key::startsWith)) {
        throw new IllegalArgumentException(
            String.format(
                "%s: unknown option '%s'. Valid options: %s, and %s.",
                context, key, String.join(", ", valid), prefixedForms));
      }
    }
  }

  /**
   * What a value of this option looks like. Options without a default are probed with {@code "1"},
   * which every numeric and duration option accepts.
   */
  private static String expected(ConfigOption<?> option) {
    Object sample = option.defaultValue();
    if (sample == null) {
      try {
        sample = new Configuration().set(stringKey(option), "1").get(option);
      } catch (IllegalArgumentException e) {
        sample = null;
      }
    }
    if (sample instanceof Duration) {
      return "a duration, e.g. '10 s', '500 ms' or '1 min'";
    }
    if (sample instanceof Integer || sample instanceof Long) {
      return "a whole number";
    }
    if (sample instanceof Boolean) {
      return "true or false";
    }
    return "a value of the documented form";
  }

  private static ConfigOption<String> stringKey(ConfigOption<?> option) {
    return ConfigOptions.key(option.key()).stringType().noDefaultValue();
  }
}
