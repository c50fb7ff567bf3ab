package io.psyberg.flink.examples.reliability;

import io.psyberg.flink.stateful.sequence.EventSequenceFunction;
import io.psyberg.flink.stateful.sequence.EventSequenceStateMachine;
import io.psyberg.flink.stateful.sequence.Transition;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple4;

/**
 * A user's own keyed stateful logic with three outputs, for testing the building blocks beyond the
 * lifecycle's two targets: per account, each event's ordinal in event-time order (a late event
 * shifts every later ordinal), the account's event count and last event type (one row, live in
 * every state), and an anomaly for each event before the account's first signup (a late signup
 * retracts it). Tuples, so that Flink keeps events and state with its own serializers.
 *
 * <ul>
 *   <li>event: (event id, account, type, event time in micros)
 *   <li>state: (account, events so far, whether one was a signup, the last event's type)
 *   <li>row: (account, event id, its ordinal, its type), or (account, {@link #COUNT}, the count,
 *       the last type)
 *   <li>anomaly: (account, event id, type) of an event before the first signup
 * </ul>
 */
final class AccountActivity
    implements EventSequenceStateMachine<
        Tuple4<String, Long, String, Long>,
        Tuple4<Long, Integer, Boolean, String>,
        Tuple4<Long, String, Integer, String>,
        Tuple3<Long, String, String>> {
  private static final long serialVersionUID = 1L;

  /** The output key of the count row; every other row is keyed by its event id. */
  static final String COUNT = "#count";

  static final TypeInformation<Tuple4<String, Long, String, Long>> EVENT =
      Types.TUPLE(Types.STRING, Types.LONG, Types.STRING, Types.LONG);
  static final TypeInformation<Tuple4<Long, Integer, Boolean, String>> STATE =
      Types.TUPLE(Types.LONG, Types.INT, Types.BOOLEAN, Types.STRING);
  static final TypeInformation<Tuple4<Long, String, Integer, String>> ROW =
      Types.TUPLE(Types.LONG, Types.STRING, Types.INT, Types.STRING);
  static final TypeInformation<Tuple3<Long, String, String>> ANOMALY =
      Types.TUPLE(Types.LONG, Types.STRING, Types.STRING);

  static Tuple4<String, Long, String, Long> event(
      String eventId, long account, String type, long micros) {
    return Tuple4.of(eventId, account, type, micros);
  }

  static boolean isCount(Tuple4<Long, String, Integer, String> row) {
    return COUNT.equals(row.f1);
  }

  /** The function for a continuous job, keyed by account. */
  static EventSequenceFunction<
          Long,
          Tuple4<String, Long, String, Long>,
          Tuple4<Long, Integer, Boolean, String>,
          Tuple4<Long, String, Integer, String>,
          Tuple3<Long, String, String>>
      function() {
    return EventSequenceFunction.builder(new AccountActivity())
        .eventType(EVENT)
        .stateType(STATE)
        .outputType(ROW)
        .anomalyType(ANOMALY)
        .name("activity")
        .build();
  }

  @Override
  public String eventId(Tuple4<String, Long, String, Long> event) {
    return event.f0;
  }

  @Override
  public long eventTimeMicros(Tuple4<String, Long, String, Long> event) {
    return event.f3;
  }

  @Override
  public Tuple4<Long, Integer, Boolean, String> initialState() {
    return Tuple4.of(-1L, 0, false, "");
  }

  @Override
  public Transition<
          Tuple4<Long, Integer, Boolean, String>,
          Tuple4<Long, String, Integer, String>,
          Tuple3<Long, String, String>>
      apply(Tuple4<Long, Integer, Boolean, String> state, Tuple4<String, Long, String, Long> e) {
    boolean signup = "SIGNUP".equals(e.f2);
    Tuple4<Long, Integer, Boolean, String> next =
        Tuple4.of(e.f1, state.f1 + 1, state.f2 || signup, e.f2);
    List<Tuple4<Long, String, Integer, String>> rows =
        List.of(Tuple4.of(e.f1, e.f0, next.f1, e.f2), Tuple4.of(e.f1, COUNT, next.f1, e.f2));
    List<Tuple3<Long, String, String>> anomalies =
        state.f2 || signup ? List.of() : List.of(Tuple3.of(e.f1, e.f0, e.f2));
    return new Transition<>(next, rows, anomalies);
  }

  @Override
  public Object outputKey(Tuple4<Long, String, Integer, String> output) {
    return output.f1;
  }

  @Override
  public Collection<Tuple4<Long, String, Integer, String>> liveOutputs(
      Tuple4<Long, Integer, Boolean, String> state) {
    return state.f1 == 0 ? List.of() : List.of(Tuple4.of(state.f0, COUNT, state.f1, state.f3));
  }
}
