package io.psyberg.flink.stateful.lifecycle;

import io.psyberg.flink.stateful.sequence.EventSequences;
import io.psyberg.flink.stateful.sequence.Recomputation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The lifecycle recomputed from scratch over full histories: the reference that streaming
 * corrections must match, and the computation of a batch run over whole accounts.
 */
public final class LifecycleRecompute {

  private LifecycleRecompute() {}

  /**
   * Segments and anomalies of every account in {@code events} (one account's full history, or
   * several). Events are ordered per account by (event time, event id); for a repeated event id the
   * first in the given (arrival) order counts, later copies are ignored.
   */
  public static LifecycleResult recompute(Collection<LifecycleEvent> events) {
    Map<Long, List<LifecycleEvent>> byAccount = new TreeMap<>();
    for (LifecycleEvent event : events) {
      byAccount.computeIfAbsent(event.accountId(), k -> new ArrayList<>()).add(event);
    }
    List<Segment> segments = new ArrayList<>();
    List<Anomaly> anomalies = new ArrayList<>();
    for (List<LifecycleEvent> history : byAccount.values()) {
      Recomputation<LifecycleState, Segment, Anomaly> result =
          EventSequences.recompute(LifecycleStateMachine.INSTANCE, history);
      segments.addAll(result.outputs()); // emitted in segment order: numbers only grow
      anomalies.addAll(result.anomalies());
    }
    return new LifecycleResult(segments, anomalies);
  }
}
