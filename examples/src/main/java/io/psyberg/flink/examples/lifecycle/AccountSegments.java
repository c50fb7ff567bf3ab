package io.psyberg.flink.examples.lifecycle;

import java.time.LocalDateTime;
import java.util.Arrays;
import javax.annotation.Nullable;
import org.apache.iceberg.util.DateTimeUtil;

/**
 * The segments of one account as the contiguity audit reads them, in primitive arrays in the order
 * read: a first publish holds a segment per event, millions of them, which boxed sorted maps would
 * spend most of the audit on.
 */
final class AccountSegments {
  /** {@code validTo} of an open segment. */
  private static final long OPEN = Long.MIN_VALUE;

  private int size;
  private int[] numbers = new int[4];
  private long[] validFrom = new long[4];
  private long[] validTo = new long[4];

  void add(int segmentNo, long fromMicros, @Nullable Long toMicros) {
    if (size == numbers.length) {
      numbers = Arrays.copyOf(numbers, size * 2);
      validFrom = Arrays.copyOf(validFrom, size * 2);
      validTo = Arrays.copyOf(validTo, size * 2);
    }
    numbers[size] = segmentNo;
    validFrom[size] = fromMicros;
    validTo[size] = toMicros == null ? OPEN : toMicros;
    size++;
  }

  /** Both accounts' segments: this one with those another reader found for the same account. */
  AccountSegments merged(AccountSegments other) {
    addAll(other);
    return this;
  }

  private void addAll(AccountSegments other) {
    for (int i = 0; i < other.size; i++) {
      add(other.numbers[i], other.validFrom[i], other.validTo[i] == OPEN ? null : other.validTo[i]);
    }
  }

  /**
   * What is wrong with the segments, or null: numbered consecutively, each closing where the next
   * opens, and only the last one open-ended.
   */
  @Nullable
  String problem() {
    int[] order = byNumber();
    int open = 0;
    for (int k = 0; k < size; k++) {
      int i = order[k];
      if (validTo[i] == OPEN) {
        open++;
      }
      if (k == 0) {
        continue;
      }
      int previous = order[k - 1];
      if (numbers[i] != numbers[previous] + 1) {
        return numbers[i] == numbers[previous]
            ? "segment " + numbers[i] + " appears twice"
            : "segment numbers are not consecutive from " + numbers[order[0]];
      }
      if (validTo[previous] != validFrom[i]) {
        return "segment "
            + numbers[previous]
            + " ends at "
            + timestamp(validTo[previous])
            + " but segment "
            + numbers[i]
            + " starts at "
            + timestamp(validFrom[i]);
      }
    }
    if (open != 1 || validTo[order[size - 1]] != OPEN) {
      return open + " current segments (the last one must be the only open-ended one)";
    }
    return null;
  }

  /** Indexes in segment-number order (rows usually arrive in it, which the sort does not mind). */
  private int[] byNumber() {
    long[] keyed = new long[size];
    for (int i = 0; i < size; i++) {
      keyed[i] = ((long) numbers[i] << 32) | i;
    }
    Arrays.sort(keyed);
    int[] order = new int[size];
    for (int k = 0; k < size; k++) {
      order[k] = (int) keyed[k];
    }
    return order;
  }

  @Nullable
  private static LocalDateTime timestamp(long micros) {
    return micros == OPEN ? null : DateTimeUtil.timestampFromMicros(micros);
  }
}
