package io.psyberg.flink.reliability;

import java.util.Map;
import java.util.TreeMap;

/**
 * Counts how the runs of a racy scenario ended (published, conflict, empty, failed clearly then
 * re-run, ...), and prints one line per scenario so that a test log shows what the rounds actually
 * exercised.
 */
final class Outcomes {
  private final String scenario;
  private final Map<String, Integer> counts = new TreeMap<>();

  Outcomes(String scenario) {
    this.scenario = scenario;
  }

  void add(String outcome) {
    counts.merge(outcome, 1, Integer::sum);
  }

  void add(String outcome, int n) {
    if (n > 0) {
      counts.merge(outcome, n, Integer::sum);
    }
  }

  int count(String outcome) {
    return counts.getOrDefault(outcome, 0);
  }

  @Override
  public String toString() {
    return scenario + ": " + counts;
  }

  /** Prints the tally to standard output (surefire keeps it in the test's output file). */
  void print() {
    System.out.println("OUTCOMES " + this);
  }
}
