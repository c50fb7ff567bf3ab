package io.psyberg.flink.examples.backfill;

import org.apache.flink.table.functions.ScalarFunction;

/**
 * A SQL function for tests: returns its value, and fails the job on the one value named poison, so
 * a script fails on one given event, wherever it lies.
 */
public class FailOn extends ScalarFunction {
  public String eval(String value, String poison) {
    if (value != null && value.equals(poison)) {
      throw new IllegalStateException("poison event " + value);
    }
    return value;
  }
}
