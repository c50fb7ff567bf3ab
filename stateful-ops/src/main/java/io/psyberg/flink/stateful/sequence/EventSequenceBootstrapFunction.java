package io.psyberg.flink.stateful.sequence;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;

/**
 * Writes the keyed state an {@link EventSequenceFunction} would hold after the given events, with
 * Flink's State Processor API, without emitting anything: a continuous job that starts from the
 * savepoint so written over a history that is already published processes only what comes after it,
 * as if it had run through the history itself. The history is in the state before the job reads its
 * first live event, so its operators emit every event's changes before they forward the next
 * checkpoint barrier, as psyberg's sink needs to publish each session with its rows.
 *
 * <p>The history must be what the targets hold: run a bounded correction up to the same position
 * first, so that every target equals the full recompute of the history.
 */
public class EventSequenceBootstrapFunction<K, E, S, O, A>
    extends KeyedStateBootstrapFunction<K, E> {
  private static final long serialVersionUID = 1L;

  private final EventSequenceFunction<K, E, S, O, A> plain;

  private transient KeyedSequence<E, S, O, A> sequence;

  EventSequenceBootstrapFunction(EventSequenceFunction<K, E, S, O, A> plain) {
    this.plain = plain;
  }

  @Override
  public void open(Configuration parameters) {
    // same state descriptors as the function's own, so the function finds them on restore
    sequence =
        new KeyedSequence<>(
            plain.machine,
            plain.retentionMicros,
            plain.eventType,
            plain.stateType,
            getRuntimeContext());
  }

  @Override
  public void processElement(E event, Context ctx) throws Exception {
    if (sequence.add(event) == null) {
      throw new IllegalStateException(
          "History event "
              + event
              + " of key "
              + ctx.getCurrentKey()
              + " falls before the retention horizon; a job seeded from history needs no"
              + " retention, or a retention longer than the history.");
    }
  }
}
