package io.psyberg.flink.bench;

import java.io.PrintStream;
import javax.annotation.Nullable;

/**
 * One benchmark of {@code psyberg-bench.jar}: it measures psyberg against a baseline in the same
 * run and returns a markdown section for {@code BENCHMARKS.md}.
 */
interface Benchmark {

  /**
   * Runs with this benchmark's own options ({@code --quick}, {@code --help}, ...), progress to
   * {@code progress}.
   */
  Result run(String[] args, PrintStream progress) throws Exception;

  /**
   * A markdown report, and why the run is not valid if it is not (e.g. both sides did not produce
   * the same rows).
   */
  final class Result {
    final String markdown;
    @Nullable final String failure;
    final boolean help;

    private Result(String markdown, @Nullable String failure, boolean help) {
      this.markdown = markdown;
      this.failure = failure;
      this.help = help;
    }

    static Result ok(String markdown) {
      return new Result(markdown, null, false);
    }

    static Result failed(String markdown, String failure) {
      return new Result(markdown, failure, false);
    }

    static Result help(String usage) {
      return new Result(usage, null, true);
    }
  }
}
