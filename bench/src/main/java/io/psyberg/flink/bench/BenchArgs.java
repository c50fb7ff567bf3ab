package io.psyberg.flink.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.annotation.Nullable;

/**
 * The command-line options of every benchmark: {@code --quick}, {@code --help}, {@code --dir DIR},
 * {@code --keep}, plus the benchmark's own flags and valued options (whole numbers or
 * comma-separated lists of them).
 */
final class BenchArgs {
  final boolean quick;
  final boolean help;
  final boolean keep;
  @Nullable final Path dir;
  private final Map<String, String> values;
  private final Set<String> flags;

  private BenchArgs(
      boolean quick,
      boolean help,
      boolean keep,
      @Nullable Path dir,
      Map<String, String> values,
      Set<String> flags) {
    this.quick = quick;
    this.help = help;
    this.keep = keep;
    this.dir = dir;
    this.values = values;
    this.flags = flags;
  }

  /** Parses {@code args}; {@code valued} names the benchmark's own options that take a value. */
  static BenchArgs parse(String[] args, Set<String> valued, String usage) {
    return parse(args, valued, Set.of(), usage);
  }

  /**
   * As {@link #parse(String[], Set, String)}, with the benchmark's own flags (options without a
   * value).
   */
  static BenchArgs parse(String[] args, Set<String> valued, Set<String> knownFlags, String usage) {
    boolean quick = false;
    boolean help = false;
    boolean keep = false;
    Path dir = null;
    Map<String, String> values = new HashMap<>();
    Set<String> flags = new TreeSet<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick" -> quick = true;
        case "--help", "-h" -> help = true;
        case "--keep" -> keep = true;
        case "--dir" -> dir = Paths.get(value(args, ++i, a, usage));
        default -> {
          if (a.startsWith("--") && knownFlags.contains(a.substring(2))) {
            flags.add(a.substring(2));
            continue;
          }
          if (!a.startsWith("--") || !valued.contains(a.substring(2))) {
            throw new IllegalArgumentException("Unknown option '" + a + "'.\n\n" + usage);
          }
          values.put(a.substring(2), value(args, ++i, a, usage));
        }
      }
    }
    return new BenchArgs(quick, help, keep, dir, values, flags);
  }

  private static String value(String[] args, int i, String option, String usage) {
    if (i >= args.length) {
      throw new IllegalArgumentException("Option " + option + " needs a value.\n\n" + usage);
    }
    return args[i];
  }

  /** A positive whole number: the option's value, else {@code quick} or {@code full} by mode. */
  int positive(String name, int quickDefault, int fullDefault) {
    String v = values.get(name);
    return v == null ? (quick ? quickDefault : fullDefault) : positive("--" + name, v);
  }

  /**
   * A whole number, zero allowed: the option's value, else {@code quick} or {@code full} by mode.
   */
  int nonNegative(String name, int quickDefault, int fullDefault) {
    String v = values.get(name);
    return v == null ? (quick ? quickDefault : fullDefault) : number("--" + name, v, 0);
  }

  /** Whether the flag {@code --name} was given. */
  boolean flag(String name) {
    return flags.contains(name);
  }

  /** Whether the valued option {@code --name} was given. */
  boolean has(String name) {
    return values.containsKey(name);
  }

  /** Sorted, distinct positive whole numbers. */
  List<Integer> list(String name, List<Integer> quickDefault, List<Integer> fullDefault) {
    String v = values.get(name);
    if (v == null) {
      return quick ? quickDefault : fullDefault;
    }
    TreeSet<Integer> out = new TreeSet<>();
    for (String part : v.split(",")) {
      out.add(positive("--" + name, part.trim().replace("_", "")));
    }
    return new ArrayList<>(out);
  }

  @Nullable
  String text(String name) {
    return values.get(name);
  }

  private static int positive(String option, String text) {
    return number(option, text, 1);
  }

  private static int number(String option, String text, int min) {
    try {
      int v = Integer.parseInt(text.replace("_", ""));
      if (v < min) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Option "
              + option
              + " takes a "
              + (min > 0 ? "positive" : "non-negative")
              + " whole number, got '"
              + text
              + "'.");
    }
  }

  /** The warehouse folder: {@code --dir}, else a new temp folder. */
  Path warehouse(String prefix) throws IOException {
    Path d = dir != null ? dir : Files.createTempDirectory(prefix);
    Files.createDirectories(d);
    return d;
  }

  /** Deletes a temp warehouse unless {@code --keep} or {@code --dir} was given. */
  void cleanUp(Path warehouse, PrintStream progress) throws IOException {
    if (dir != null || keep) {
      progress.println("Warehouse kept at " + warehouse);
      return;
    }
    deleteRecursively(warehouse);
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
