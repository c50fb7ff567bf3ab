package io.psyberg.flink.examples.reliability;

/**
 * Where a fault is injected. Each point is recognised by {@link FaultyFileIO} from the file touched
 * and the code touching it, so production code needs no hooks of its own.
 */
public enum FaultPoint {
  /** The source reader opening a data file of a source table (task thread). */
  READER(true),
  /** A writer creating a data file or a manifest of the target (task thread). */
  WRITER(true),
  /** The committer staging a session on its audit branch (a write of the staging commit). */
  STAGE(true),
  /** An audit reading the staged or source files; the audit runner turns it into a failed audit. */
  AUDIT(true),
  /** The committer's publish commit (fast-forward of main to the audit branch). */
  PUBLISH(true),
  /**
   * The committer writing the session log or the mirrored high watermarks (after stage or publish).
   */
  METADATA(true),
  /** The enumerator recording a planned session (runs on the coordinator, so exceptions only). */
  PLANNING(false);

  private final boolean killable;

  FaultPoint(boolean killable) {
    this.killable = killable;
  }

  /**
   * Whether a {@link FaultKind#KILL} may be injected here: only in task threads, not in the
   * coordinator.
   */
  public boolean killable() {
    return killable;
  }
}
