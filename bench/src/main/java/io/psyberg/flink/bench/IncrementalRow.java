package io.psyberg.flink.bench;

import javax.annotation.Nullable;

/**
 * One job in one incremental scenario: psyberg's untimed-then-timed first load over the history and
 * its timed run over the new snapshot, and the same for the full recompute unless the scenario is
 * psyberg only.
 *
 * @param firstPeakHeapMib the heap's peak during psyberg's first load (sum of the heap pools'
 *     peaks, an upper bound)
 * @param outputs how psyberg's outputs compare with the full recompute's
 * @param shorterAlongside psyberg's runs over the history ten times smaller, each timed right after
 *     one of this scenario's (the scaled history's counterpart, alternating), or null
 */
record IncrementalRow(
    String job,
    IncrementalScenario scenario,
    ProcessCost firstPsyberg,
    @Nullable ProcessCost firstFull,
    ProcessCost psyberg,
    @Nullable ProcessCost full,
    long firstPeakHeapMib,
    String outputs,
    @Nullable ProcessCost shorterAlongside) {

  boolean hasFull() {
    return full != null && firstFull != null;
  }

  long historyRows() {
    return scenario.historyRows();
  }

  long newRows() {
    return scenario.newRows();
  }
}
