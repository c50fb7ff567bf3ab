package io.psyberg.flink.stateful.sequence;

import io.psyberg.flink.stateful.StatefulOptions;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Builder of {@link EventSequenceFunction}: the state machine, Flink types for events, state, rows
 * and anomalies, the retention and a name for the side outputs. {@link #build()} checks everything
 * in one place.
 */
public final class EventSequenceFunctionBuilder<E, S, O, A> {

  final EventSequenceStateMachine<E, S, O, A> machine;
  TypeInformation<E> eventType;
  TypeInformation<S> stateType;
  TypeInformation<O> outputType;
  TypeInformation<A> anomalyType;
  Duration retention;
  String name = "event-sequence";

  EventSequenceFunctionBuilder(EventSequenceStateMachine<E, S, O, A> machine) {
    this.machine = machine;
  }

  /**
   * Flink type of the events; it is kept in keyed state, so prefer a serializer that supports
   * evolution.
   */
  public EventSequenceFunctionBuilder<E, S, O, A> eventType(TypeInformation<E> type) {
    this.eventType = type;
    return this;
  }

  /** Flink type of the state machine's state (kept in keyed state). */
  public EventSequenceFunctionBuilder<E, S, O, A> stateType(TypeInformation<S> type) {
    this.stateType = type;
    return this;
  }

  /** Flink type of output rows. */
  public EventSequenceFunctionBuilder<E, S, O, A> outputType(TypeInformation<O> type) {
    this.outputType = type;
    return this;
  }

  /** Flink type of anomalies. */
  public EventSequenceFunctionBuilder<E, S, O, A> anomalyType(TypeInformation<A> type) {
    this.anomalyType = type;
    return this;
  }

  /**
   * How far behind its key's latest event time an event may arrive and still be placed; see {@link
   * StatefulOptions#RETENTION}. {@code null} (the default) keeps every event.
   */
  public EventSequenceFunctionBuilder<E, S, O, A> retention(Duration retention) {
    this.retention = retention;
    return this;
  }

  /** Reads {@link StatefulOptions#RETENTION} if it is set. */
  public EventSequenceFunctionBuilder<E, S, O, A> configure(ReadableConfig config) {
    config.getOptional(StatefulOptions.RETENTION).ifPresent(this::retention);
    return this;
  }

  /** Prefix of the side output ids ({@code <name>-anomalies}, {@code <name>-too-late}). */
  public EventSequenceFunctionBuilder<E, S, O, A> name(String name) {
    this.name = name;
    return this;
  }

  public <K> EventSequenceFunction<K, E, S, O, A> build() {
    require(machine, "stateMachine");
    require(eventType, "eventType");
    require(stateType, "stateType");
    require(outputType, "outputType");
    require(anomalyType, "anomalyType");
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("EventSequenceFunction: 'name' must not be blank");
    }
    if (retention != null && (retention.compareTo(Duration.ofNanos(1_000)) < 0)) {
      throw new IllegalArgumentException(
          String.format(
              "EventSequenceFunction: '%s' must be at least 1 microsecond, got %s; leave it unset"
                  + " to keep every event.",
              StatefulOptions.RETENTION.key(), retention));
    }
    return new EventSequenceFunction<>(this);
  }

  private static void require(Object value, String setting) {
    Objects.requireNonNull(value, () -> "EventSequenceFunction: '" + setting + "' must be set");
  }
}
