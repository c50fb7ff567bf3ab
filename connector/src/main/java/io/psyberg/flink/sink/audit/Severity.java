package io.psyberg.flink.sink.audit;

/** Whether a failed audit blocks the publish ({@code ERROR}) or is only recorded ({@code WARN}). */
public enum Severity {
  ERROR,
  WARN
}
