package io.psyberg.flink.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entry point of {@code psyberg-bench.jar}: runs one benchmark, or all of them one after another,
 * and writes their markdown sections as one report.
 */
public final class BenchMain {

  /** Benchmarks by command name, in the order {@code all} runs them. */
  static final Map<String, Benchmark> BENCHMARKS = new LinkedHashMap<>();

  static {
    BENCHMARKS.put("planning", PlanningBenchmark::run);
    BENCHMARKS.put("source", SourceBenchmark::run);
    BENCHMARKS.put("sink", SinkBenchmark::run);
    BENCHMARKS.put("incremental", IncrementalBenchmark::run);
    BENCHMARKS.put("correction", CorrectionBenchmark::run);
    BENCHMARKS.put("memory", MemoryBenchmark::run);
    BENCHMARKS.put("lookback", LookbackBenchmark::run);
    BENCHMARKS.put("sessionlog", SessionLogBenchmark::run);
    BENCHMARKS.put("backfill", BackfillBenchmark::run);
    BENCHMARKS.put("changelog", ChangelogBenchmark::run);
  }

  private BenchMain() {}

  static String usage() {
    StringBuilder s = new StringBuilder();
    s.append(
        "Usage: java -Xms4g -Xmx4g -jar psyberg-bench.jar <benchmark|all> [--out FILE] [benchmark"
            + " options]\n\n");
    s.append("Benchmarks (each measures psyberg and its baseline side by side in one run):\n");
    for (String name : BENCHMARKS.keySet()) {
      s.append("  ").append(name).append('\n');
    }
    s.append(
        "  all        every benchmark above, in this order; options such as --quick are passed to"
            + " each\n\n");
    s.append("  --out FILE  also write the markdown report to FILE\n");
    s.append("  psyberg-bench.jar <benchmark> --help   the benchmark's own options\n");
    return s.toString();
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream progress) throws Exception {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      out.print(usage());
      return args.length == 0 ? 2 : 0;
    }
    String command = args[0];
    List<String> rest = new ArrayList<>();
    Path outFile = null;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--out")) {
        if (i + 1 >= args.length) {
          progress.println("Option --out needs a file name.\n\n" + usage());
          return 2;
        }
        outFile = Paths.get(args[++i]);
      } else {
        rest.add(args[i]);
      }
    }
    List<String> names = new ArrayList<>();
    if (command.equals("all")) {
      names.addAll(BENCHMARKS.keySet());
    } else if (BENCHMARKS.containsKey(command)) {
      names.add(command);
    } else {
      progress.println("Unknown benchmark '" + command + "'.\n\n" + usage());
      return 2;
    }
    StringBuilder report = new StringBuilder();
    report
        .append("<!-- psyberg-bench ")
        .append(String.join(" ", args))
        .append(", ")
        .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .append(" -->\n\n");
    List<String> failures = new ArrayList<>();
    for (String name : names) {
      progress.println("=== " + name + " ===");
      long started = System.nanoTime();
      Benchmark.Result result;
      try {
        result = BENCHMARKS.get(name).run(rest.toArray(new String[0]), progress);
      } catch (IllegalArgumentException e) {
        progress.println(name + ": " + e.getMessage());
        return 2;
      }
      if (result.help) {
        out.println(result.markdown);
        continue;
      }
      report.append(result.markdown).append('\n');
      if (result.failure != null) {
        failures.add(name + ": " + result.failure);
      }
      progress.printf("=== %s done in %.0f s ===%n", name, (System.nanoTime() - started) / 1e9);
      if (outFile != null) {
        write(outFile, report.toString());
      }
    }
    out.println(report);
    if (outFile != null) {
      write(outFile, report.toString());
      progress.println("Report written to " + outFile);
    }
    for (String f : failures) {
      progress.println("ERROR: " + f);
    }
    return failures.isEmpty() ? 0 : 1;
  }

  private static void write(Path file, String text) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, text);
  }
}
