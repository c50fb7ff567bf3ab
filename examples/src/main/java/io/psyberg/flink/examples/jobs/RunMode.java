package io.psyberg.flink.examples.jobs;

import java.util.Locale;

/** How a job command runs: one session then stop, or until stopped. */
public enum RunMode {
  /** Process what is new since the last run, then stop. */
  BOUNDED,
  /** Keep processing new snapshots until stopped (Ctrl-C). */
  CONTINUOUS;

  /** The value users type: {@code bounded} or {@code continuous}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
