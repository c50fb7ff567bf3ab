package io.psyberg.flink.source.enumerator;

import io.psyberg.flink.source.split.PsybergSplit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/**
 * Hands the planned splits to the readers that ask for them, in plan order, a split per request (a
 * reader asks for one more than it reads, so the next split is there when it finishes one). A
 * changelog read gives every split to one reader, so that a key's changes keep their commit order;
 * a bounded read tells the readers there is no more once the last session is planned and its splits
 * are taken.
 */
final class SplitAssigner {
  /** Changelog reads: the one reader subtask that gets every split. */
  static final int CHANGELOG_READER = 0;

  private final boolean changelog;
  private final boolean continuous;
  private final Deque<PsybergSplit> unassigned = new ArrayDeque<>();

  /** Per reader subtask, in the order they first asked, the splits it asked for and has not got. */
  private final Map<Integer, Integer> requests = new LinkedHashMap<>();

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
    requests.merge(subtask, 1, Integer::sum);
  }

  /** A reader (re)registered: requests of an attempt before it are void. */
  void readerStarted(int subtask) {
    requests.remove(subtask);
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
    // One split per waiting reader per pass: readers asking ahead do not starve the others.
    boolean assigned = true;
    while (assigned && !requests.isEmpty()) {
      assigned = false;
      Iterator<Map.Entry<Integer, Integer>> waiting = requests.entrySet().iterator();
      while (waiting.hasNext()) {
        Map.Entry<Integer, Integer> request = waiting.next();
        int subtask = request.getKey();
        if (!context.registeredReaders().containsKey(subtask)) {
          waiting.remove();
          continue;
        }
        if (changelog && subtask != CHANGELOG_READER) {
          if (noMore) {
            context.signalNoMoreSplits(subtask);
            waiting.remove();
          }
          continue;
        }
        PsybergSplit split = unassigned.poll();
        if (split != null) {
          context.assignSplit(split, subtask);
          assigned = true;
          if (request.getValue() == 1) {
            waiting.remove();
          } else {
            request.setValue(request.getValue() - 1);
          }
        } else if (noMore) {
          context.signalNoMoreSplits(subtask);
          waiting.remove();
        } else {
          return;
        }
      }
    }
  }
}
