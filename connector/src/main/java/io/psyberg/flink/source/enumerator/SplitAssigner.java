package io.psyberg.flink.source.enumerator;

import io.psyberg.flink.source.split.PsybergSplit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/**
 * Hands the planned splits to the readers that ask for them, in plan order. A changelog read gives
 * every split to one reader, so that a key's changes keep their commit order; a bounded read tells
 * the readers there is no more once the last session is planned and its splits are taken.
 */
final class SplitAssigner {
  /** Changelog reads: the one reader subtask that gets every split. */
  static final int CHANGELOG_READER = 0;

  private final boolean changelog;
  private final boolean continuous;
  private final Deque<PsybergSplit> unassigned = new ArrayDeque<>();
  private final Set<Integer> waitingReaders = new LinkedHashSet<>();

  SplitAssigner(boolean changelog, boolean continuous, Collection<PsybergSplit> restored) {
    this.changelog = changelog;
    this.continuous = continuous;
    this.unassigned.addAll(restored);
  }

  /** A new session's splits, after those not taken yet. */
  void add(List<PsybergSplit> splits) {
    unassigned.addAll(splits);
  }

  /** Splits a reader gave back (it failed before their checkpoint): read first, in their order. */
  void putBack(List<PsybergSplit> splits) {
    for (int i = splits.size() - 1; i >= 0; i--) {
      unassigned.addFirst(splits.get(i));
    }
  }

  void request(int subtask) {
    waitingReaders.add(subtask);
  }

  /** The splits not taken yet, for a checkpoint. */
  List<PsybergSplit> unassigned() {
    return new ArrayList<>(unassigned);
  }

  /**
   * Gives the waiting readers what there is; with {@code allPlanned} (a bounded read's last session
   * planned), a reader finding nothing left is told there will be no more.
   */
  void assign(SplitEnumeratorContext<PsybergSplit> context, boolean allPlanned) {
    boolean noMore = !continuous && allPlanned;
    Iterator<Integer> readers = waitingReaders.iterator();
    while (readers.hasNext()) {
      int subtask = readers.next();
      if (!context.registeredReaders().containsKey(subtask)) {
        readers.remove();
        continue;
      }
      if (changelog && subtask != CHANGELOG_READER) {
        if (noMore) {
          context.signalNoMoreSplits(subtask);
          readers.remove();
        }
        continue;
      }
      PsybergSplit split = unassigned.poll();
      if (split != null) {
        context.assignSplit(split, subtask);
        readers.remove();
      } else if (noMore) {
        context.signalNoMoreSplits(subtask);
        readers.remove();
      } else {
        break;
      }
    }
  }
}
