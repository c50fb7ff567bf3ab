package io.psyberg.flink.stateful.sequence;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;

/**
 * A toy state machine for testing the generic layer: events (id, time, delta) keep a running sum;
 * each event emits the row (id, sum after it); a negative delta is an anomaly that changes nothing.
 * A "total" row, live in every state, exercises re-emitted rows.
 */
final class RunningSumMachine
    implements EventSequenceStateMachine<
        Tuple3<String, Long, Integer>, Integer, Tuple2<String, Integer>, String> {

  static final TypeInformation<Tuple3<String, Long, Integer>> EVENT =
      Types.TUPLE(Types.STRING, Types.LONG, Types.INT);
  static final TypeInformation<Tuple2<String, Integer>> ROW = Types.TUPLE(Types.STRING, Types.INT);

  private static final long serialVersionUID = 1L;

  static Tuple3<String, Long, Integer> event(String id, long time, int delta) {
    return Tuple3.of(id, time, delta);
  }

  static Tuple2<String, Integer> row(String id, int sum) {
    return Tuple2.of(id, sum);
  }

  static <K>
      EventSequenceFunction<
              K, Tuple3<String, Long, Integer>, Integer, Tuple2<String, Integer>, String>
          function(Duration retention) {
    return EventSequenceFunction.builder(new RunningSumMachine())
        .eventType(EVENT)
        .stateType(Types.INT)
        .outputType(ROW)
        .anomalyType(Types.STRING)
        .retention(retention)
        .name("sum")
        .build();
  }

  @Override
  public String eventId(Tuple3<String, Long, Integer> event) {
    return event.f0;
  }

  @Override
  public long eventTimeMicros(Tuple3<String, Long, Integer> event) {
    return event.f1;
  }

  @Override
  public Integer initialState() {
    return 0;
  }

  @Override
  public Transition<Integer, Tuple2<String, Integer>, String> apply(
      Integer sum, Tuple3<String, Long, Integer> e) {
    if (e.f2 < 0) {
      return Transition.anomaly(sum, "negative " + e.f0);
    }
    int next = sum + e.f2;
    return Transition.to(next, row(e.f0, next), row("total", next));
  }

  @Override
  public Object outputKey(Tuple2<String, Integer> output) {
    return output.f0;
  }

  @Override
  public Collection<Tuple2<String, Integer>> liveOutputs(Integer sum) {
    return sum == 0 ? List.of() : List.of(row("total", sum));
  }
}
