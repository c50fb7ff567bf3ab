package io.psyberg.flink.examples.reliability;

import io.psyberg.flink.stateful.sequence.EventSequenceStateMachine;
import io.psyberg.flink.stateful.sequence.Transition;
import java.io.Serializable;
import java.util.Collection;
import java.util.List;

/**
 * A user's own keyed stateful logic with three outputs, for testing the bounded building block
 * ({@code StatefulRunPlan} + {@code EventSequences.corrections}) beyond the lifecycle's two
 * targets: per account, each event's ordinal in event-time order (a late event shifts every later
 * ordinal), the account's event count and last event type (one row, live in every state), and an
 * anomaly for each event before the account's first signup (a late signup retracts it).
 */
final class AccountActivity
    implements EventSequenceStateMachine<
        AccountActivity.Event,
        AccountActivity.State,
        AccountActivity.Row,
        AccountActivity.Anomaly> {
  private static final long serialVersionUID = 1L;

  /** The output key of the count row; every other row is keyed by its event id. */
  static final String COUNT = "#count";

  /** One membership event. */
  record Event(String eventId, long accountId, String type, long tsMicros)
      implements Serializable {}

  /** Events so far, whether one of them was a signup, and the last event's type. */
  record State(int events, boolean signedUp, String lastType) implements Serializable {}

  /**
   * An event's ordinal and type ({@code key} = its id), or the count row ({@code key} = {@link
   * #COUNT}, {@code value} = the count, {@code type} = the last event's type).
   */
  record Row(String key, int value, String type) implements Serializable {
    boolean isCount() {
      return COUNT.equals(key);
    }
  }

  /** An event that came before the account's first signup. */
  record Anomaly(String eventId, String type) implements Serializable {}

  @Override
  public String eventId(Event event) {
    return event.eventId();
  }

  @Override
  public long eventTimeMicros(Event event) {
    return event.tsMicros();
  }

  @Override
  public State initialState() {
    return new State(0, false, "");
  }

  @Override
  public Transition<State, Row, Anomaly> apply(State state, Event e) {
    boolean signup = "SIGNUP".equals(e.type());
    State next = new State(state.events() + 1, state.signedUp() || signup, e.type());
    List<Row> rows =
        List.of(
            new Row(e.eventId(), next.events(), e.type()), new Row(COUNT, next.events(), e.type()));
    List<Anomaly> anomalies =
        state.signedUp() || signup ? List.of() : List.of(new Anomaly(e.eventId(), e.type()));
    return new Transition<>(next, rows, anomalies);
  }

  @Override
  public Object outputKey(Row output) {
    return output.key();
  }

  @Override
  public Collection<Row> liveOutputs(State state) {
    return state.events() == 0
        ? List.of()
        : List.of(new Row(COUNT, state.events(), state.lastType()));
  }
}
