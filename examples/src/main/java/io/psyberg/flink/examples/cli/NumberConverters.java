package io.psyberg.flink.examples.cli;

import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Number options with errors in words users know: {@code got 'ten', expected a whole number}, where
 * picocli says {@code 'ten' is not a long}.
 */
final class NumberConverters {

  private NumberConverters() {}

  static void registerAll(CommandLine root) {
    ITypeConverter<Long> whole = value -> parse(value, "a whole number", Long::valueOf);
    ITypeConverter<Integer> small = value -> parse(value, "a whole number", Integer::valueOf);
    ITypeConverter<Double> decimal = value -> parse(value, "a number", Double::valueOf);
    root.registerConverter(Long.class, whole);
    root.registerConverter(Long.TYPE, whole);
    root.registerConverter(Integer.class, small);
    root.registerConverter(Integer.TYPE, small);
    root.registerConverter(Double.class, decimal);
    root.registerConverter(Double.TYPE, decimal);
  }

  private static <T> T parse(String value, String expected, Function<String, T> parser) {
    try {
      return parser.apply(value.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("got '" + value + "', expected " + expected);
    }
  }
}
