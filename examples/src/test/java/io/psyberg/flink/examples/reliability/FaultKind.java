package io.psyberg.flink.examples.reliability;

/** What an injected fault does at its point. */
public enum FaultKind {
  /**
   * Throws {@link InjectedFault}, a RuntimeException: the kind of failure code expects and may
   * handle.
   */
  EXCEPTION,
  /**
   * Throws {@link InjectedKill}, an Error no {@code catch (Exception)} handles: the task dies at
   * that point as if killed, without running any of the failure handling around it; Flink fails the
   * task.
   */
  KILL
}
