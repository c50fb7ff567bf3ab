package io.psyberg.flink.stateful.sequence;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure functions over one key's events, for bounded runs and tests: order and de-duplicate,
 * recompute from scratch, and compute the corrections a batch of arriving events makes to published
 * output.
 */
public final class EventSequences {

  private EventSequences() {}

  /**
   * Events in (event time, event id) order, each event id once; for a repeated id the first in the
   * given (arrival) order wins.
   */
  public static <E> List<E> inOrder(
      EventSequenceStateMachine<E, ?, ?, ?> machine, Collection<E> arrivalOrder) {
    Map<String, E> firstById = new LinkedHashMap<>();
    for (E event : arrivalOrder) {
      firstById.putIfAbsent(SequencePosition.of(machine, event).eventId(), event);
    }
    List<E> ordered = new ArrayList<>(firstById.values());
    ordered.sort(Comparator.comparing(e -> SequencePosition.of(machine, e)));
    return ordered;
  }

  /**
   * The full recompute of one key over all its events (given in arrival order, see {@link
   * #inOrder}).
   */
  public static <E, S, O, A> Recomputation<S, O, A> recompute(
      EventSequenceStateMachine<E, S, O, A> machine, Collection<E> arrivalOrder) {
    SequenceReplay.Run<S, O, A> run =
        SequenceReplay.run(machine, machine.initialState(), inOrder(machine, arrivalOrder));
    return new Recomputation<>(
        run.finalState(),
        new ArrayList<>(run.outputs().values()),
        new ArrayList<>(run.anomalies().values()));
  }

  /**
   * Corrections for one key in a bounded run.
   *
   * @param seed state after the events already folded away (or {@link SequenceSeed#initial})
   * @param processed every event already published for this key after the seed's position, in
   *     arrival order; events at or before the seed position are ignored, so a caller may pass a
   *     wider lookback
   * @param arriving the new events, in arrival order; ids already seen are ignored, and events at
   *     or before the seed position are returned as {@link Corrections#tooLate()}
   */
  public static <E, S, O, A> Corrections<E, O, A> corrections(
      EventSequenceStateMachine<E, S, O, A> machine,
      SequenceSeed<S> seed,
      Collection<E> processed,
      Collection<E> arriving) {
    List<E> before = new ArrayList<>();
    for (E event : inOrder(machine, processed)) {
      if (seed.precedes(SequencePosition.of(machine, event))) {
        before.add(event);
      }
    }
    Set<String> seen = new HashSet<>();
    for (E event : processed) {
      seen.add(machine.eventId(event));
    }
    if (seed.position() != null) {
      seen.add(seed.position().eventId());
    }
    List<E> tooLate = new ArrayList<>();
    List<E> after = new ArrayList<>(before);
    for (E event : arriving) {
      SequencePosition position = SequencePosition.of(machine, event);
      if (seen.contains(position.eventId())) {
        continue; // a repeated event counts once; the first arrival already did
      }
      if (!seed.precedes(position)) {
        tooLate.add(event);
        continue;
      }
      seen.add(position.eventId());
      after.add(event);
    }
    after.sort(Comparator.comparing(e -> SequencePosition.of(machine, e)));
    SequenceReplay.Diff<S, O, A> diff = SequenceReplay.diff(machine, seed.state(), before, after);
    return new Corrections<>(diff.outputs(), diff.anomalies(), tooLate);
  }
}
