package io.psyberg.flink.stateful.sequence;

import java.util.Objects;
import org.apache.flink.types.RowKind;

/**
 * One changelog entry of an output or anomaly row: {@link RowKind#INSERT} for a new row, a replaced
 * row as {@link RowKind#UPDATE_BEFORE} (the row as it was last emitted) directly followed by {@link
 * RowKind#UPDATE_AFTER} (its new value), and {@link RowKind#DELETE} carrying the row as it was last
 * emitted. Upsert sinks ignore the before-images; retract sinks delete by them.
 */
public record Change<T>(RowKind kind, T value) {

  public Change {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
  }

  public static <T> Change<T> insert(T value) {
    return new Change<>(RowKind.INSERT, value);
  }

  public static <T> Change<T> updateBefore(T value) {
    return new Change<>(RowKind.UPDATE_BEFORE, value);
  }

  public static <T> Change<T> updateAfter(T value) {
    return new Change<>(RowKind.UPDATE_AFTER, value);
  }

  public static <T> Change<T> delete(T value) {
    return new Change<>(RowKind.DELETE, value);
  }

  /** True for DELETE and UPDATE_BEFORE, the kinds that retract a row. */
  public boolean isRetraction() {
    return kind == RowKind.DELETE || kind == RowKind.UPDATE_BEFORE;
  }
}
