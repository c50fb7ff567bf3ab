package io.psyberg.flink.stateful.sequence;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Replays ordered events through a state machine and diffs two replays from the same start state.
 * Shared by the streaming operator and the bounded helpers so both produce identical corrections.
 */
final class SequenceReplay {

  /**
   * Identity of an anomaly: the event that raised it and its index among that event's anomalies.
   */
  record AnomalyId(String eventId, int index) {}

  /** Final state plus the last value of every row and anomaly the replayed events emitted. */
  record Run<S, O, A>(S finalState, Map<Object, O> outputs, Map<AnomalyId, A> anomalies) {}

  /**
   * Final state of the new replay plus the changelog from the old replay's rows to the new one's.
   */
  record Diff<S, O, A>(S finalState, List<Change<O>> outputs, List<Change<A>> anomalies) {

    boolean isEmpty() {
      return outputs.isEmpty() && anomalies.isEmpty();
    }
  }

  private SequenceReplay() {}

  static <E, S, O, A> Transition<S, O, A> step(
      EventSequenceStateMachine<E, S, O, A> machine, S state, E event) {
    Transition<S, O, A> transition = machine.apply(state, event);
    if (transition == null) {
      throw new IllegalStateException(
          machine.getClass().getName() + ".apply returned null for " + event);
    }
    return transition;
  }

  static <E, S, O, A> S advance(
      EventSequenceStateMachine<E, S, O, A> machine, S state, List<E> orderedEvents) {
    S current = state;
    for (E event : orderedEvents) {
      current = step(machine, current, event).nextState();
    }
    return current;
  }

  static <E, S, O, A> Run<S, O, A> run(
      EventSequenceStateMachine<E, S, O, A> machine, S start, List<E> orderedEvents) {
    S state = start;
    Map<Object, O> outputs = new LinkedHashMap<>();
    Map<AnomalyId, A> anomalies = new LinkedHashMap<>();
    for (E event : orderedEvents) {
      Transition<S, O, A> transition = step(machine, state, event);
      for (O output : transition.outputs()) {
        outputs.put(machine.outputKey(output), output);
      }
      String eventId = machine.eventId(event);
      for (int i = 0; i < transition.anomalies().size(); i++) {
        anomalies.put(new AnomalyId(eventId, i), transition.anomalies().get(i));
      }
      state = transition.nextState();
    }
    return new Run<>(state, outputs, anomalies);
  }

  /**
   * Changes that turn the rows of {@code before} (replayed from {@code start}) into those of {@code
   * after}. Rows neither replay touches keep their value; a row only one replay touches falls back
   * to its live value in {@code start} (see {@link EventSequenceStateMachine#liveOutputs}).
   */
  static <E, S, O, A> Diff<S, O, A> diff(
      EventSequenceStateMachine<E, S, O, A> machine, S start, List<E> before, List<E> after) {
    Run<S, O, A> oldRun = run(machine, start, before);
    Run<S, O, A> newRun = run(machine, start, after);
    Map<Object, O> live = new LinkedHashMap<>();
    for (O output : machine.liveOutputs(start)) {
      live.put(machine.outputKey(output), output);
    }
    return new Diff<>(
        newRun.finalState(),
        changes(oldRun.outputs(), newRun.outputs(), live),
        changes(oldRun.anomalies(), newRun.anomalies(), Map.of()));
  }

  private static <K, T> List<Change<T>> changes(
      Map<K, T> before, Map<K, T> after, Map<K, T> fallback) {
    Set<K> keys = new LinkedHashSet<>(before.keySet());
    keys.addAll(after.keySet());
    List<Change<T>> changes = new ArrayList<>();
    for (K key : keys) {
      T was = before.containsKey(key) ? before.get(key) : fallback.get(key);
      T now = after.containsKey(key) ? after.get(key) : fallback.get(key);
      if (Objects.equals(was, now)) {
        continue;
      }
      if (was == null) {
        changes.add(Change.insert(now));
      } else if (now == null) {
        changes.add(Change.delete(was));
      } else {
        // The before-image lets a sink that deletes by row (write-mode retract) find the old row
        // where it lives, also when the new value moves it to another partition.
        changes.add(Change.updateBefore(was));
        changes.add(Change.updateAfter(now));
      }
    }
    return changes;
  }
}
