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
  private int[] numbers = new int[8];
  private long[] validFrom = new long[8];
  private long[] validTo = new long[8];

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

  boolean isEmpty() {
    return size == 0;
  }

  /** Both accounts' segments: this one with those another reader found for the same account. */
  AccountSegments merged(AccountSegments other) {
    addAll(other);
    return this;
  }

  private void addAll(AccountSegments other) {
    int total = size + other.size;
    if (total > numbers.length) {
      numbers = Arrays.copyOf(numbers, total);
      validFrom = Arrays.copyOf(validFrom, total);
      validTo = Arrays.copyOf(validTo, total);
    }
    System.arraycopy(other.numbers, 0, numbers, size, other.size);
    System.arraycopy(other.validFrom, 0, validFrom, size, other.size);
    System.arraycopy(other.validTo, 0, validTo, size, other.size);
    size = total;
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

  /**
   * What is wrong with where these segments, read from a window's start on, join the segments
   * before it, or null. Those earlier segments are the published parent's (nothing before the
   * window changed), so this account must start where the parent's segments in the same window
   * started ({@code published}, null if it had none): at the same segment number and opening when
   * the parent had earlier segments, at segment 1 when it had none.
   */
  @Nullable
  String joinProblem(@Nullable AccountSegments published) {
    int first = first();
    if (published != null && published.numbers[published.first()] > 1) {
      int p = published.first();
      if (numbers[first] != published.numbers[p] || validFrom[first] != published.validFrom[p]) {
        return "the segments it can have changed start at segment "
            + numbers[first]
            + " opening at "
            + timestamp(validFrom[first])
            + ", but the unchanged earlier segments end where segment "
            + published.numbers[p]
            + " opens at "
            + timestamp(published.validFrom[p]);
      }
    } else if (numbers[first] != 1) {
      return "segments start at " + numbers[first] + " and the account has no earlier segment";
    }
    return null;
  }

  /** Index of the lowest-numbered segment. */
  private int first() {
    int first = 0;
    for (int i = 1; i < size; i++) {
      if (numbers[i] < numbers[first]) {
        first = i;
      }
    }
    return first;
  }

  /**
   * Indexes in segment-number order. Numbers that are distinct and consecutive (every contiguous
   * account's, whatever order its files were read in) are placed by number; others are sorted.
   */
  private int[] byNumber() {
    int[] placed = placedByNumber();
    return placed != null ? placed : sortedByNumber();
  }

  /** Indexes placed at their number less the lowest, or null when numbers repeat or skip one. */
  @Nullable
  private int[] placedByNumber() {
    if (size == 0) {
      return new int[0];
    }
    int lowest = numbers[first()];
    int[] order = new int[size];
    Arrays.fill(order, -1);
    for (int i = 0; i < size; i++) {
      long slot = (long) numbers[i] - lowest;
      if (slot >= size || order[(int) slot] >= 0) {
        return null;
      }
      order[(int) slot] = i;
    }
    return order;
  }

  private int[] sortedByNumber() {
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
