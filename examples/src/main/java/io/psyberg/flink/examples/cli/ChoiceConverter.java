package io.psyberg.flink.examples.cli;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a choice option (an enum whose {@code toString()} is its lower-case value, as the
 * connector's described enums) case-insensitively; a bad value's error lists the valid lower-case
 * values, where picocli's own lists the upper-case constant names.
 */
final class ChoiceConverter<E extends Enum<E>> implements ITypeConverter<E> {
  private final Class<E> type;

  private ChoiceConverter(Class<E> type) {
    this.type = type;
  }

  /** Registers a converter for every enum-typed option of {@code root} and its subcommands. */
  static void registerAll(CommandLine root) {
    Set<Class<?>> enums = new LinkedHashSet<>();
    collect(root, enums);
    for (Class<?> type : enums) {
      register(root, type.asSubclass(Enum.class));
    }
  }

  private static <E extends Enum<E>> void register(CommandLine root, Class<E> type) {
    root.registerConverter(type, new ChoiceConverter<>(type));
  }

  private static void collect(CommandLine command, Set<Class<?>> enums) {
    for (OptionSpec option : command.getCommandSpec().options()) {
      if (option.type().isEnum()) {
        enums.add(option.type());
      }
    }
    command.getSubcommands().values().forEach(sub -> collect(sub, enums));
  }

  @Override
  public E convert(String value) {
    String wanted = value.trim().toLowerCase(Locale.ROOT);
    for (E choice : type.getEnumConstants()) {
      if (choice.toString().toLowerCase(Locale.ROOT).equals(wanted)) {
        return choice;
      }
    }
    throw new TypeConversionException(
        "got '"
            + value
            + "', valid values are "
            + Arrays.stream(type.getEnumConstants())
                .map(Object::toString)
                .collect(Collectors.joining(", ")));
  }
}
