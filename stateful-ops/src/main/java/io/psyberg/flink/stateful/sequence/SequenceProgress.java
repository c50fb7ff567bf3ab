package io.psyberg.flink.stateful.sequence;

import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * Per-key bookkeeping of {@link EventSequenceFunction}: the latest position processed (its time is
 * the key's maximum event time, which drives retention) and the oldest event time still kept
 * un-folded.
 */
@Internal
public record SequenceProgress(SequencePosition last, long oldestKeptMicros) {

  /** {@link #oldestKeptMicros} when no event is kept. */
  public static final long NONE_KEPT = Long.MAX_VALUE;

  public SequenceProgress {
    Objects.requireNonNull(last, "last");
  }

  static SequenceProgress first(SequencePosition position) {
    return new SequenceProgress(position, position.timeMicros());
  }

  /** Progress after keeping one more event at {@code position}. */
  SequenceProgress keep(SequencePosition position) {
    SequencePosition newLast = position.isAfter(last) ? position : last;
    return new SequenceProgress(newLast, Math.min(oldestKeptMicros, position.timeMicros()));
  }

  SequenceProgress withOldestKept(long micros) {
    return new SequenceProgress(last, micros);
  }
}
