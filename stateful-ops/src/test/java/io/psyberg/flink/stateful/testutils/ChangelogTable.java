package io.psyberg.flink.stateful.testutils;

import io.psyberg.flink.stateful.sequence.Change;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.flink.types.RowKind;

/**
 * A table materialized from a changelog, strict about the changelog's shape: INSERT only for a new
 * key, UPDATE_BEFORE only of the current value and directly followed by the UPDATE_AFTER of the
 * same key with a different value, DELETE only of the current value. Any no-op change fails, which
 * proves the operator emits only rows that changed; the before-image checks prove a sink that
 * deletes by the old row (retract) finds it.
 */
public final class ChangelogTable<K extends Comparable<K>, T> {

  private final String name;
  private final Function<T, K> keyOf;
  private final Map<K, T> rows = new TreeMap<>();
  private long changes;
  private final Map<K, Change<T>> pendingBefore = new HashMap<>();

  public ChangelogTable(String name, Function<T, K> keyOf) {
    this.name = name;
    this.keyOf = keyOf;
  }

  public void apply(Change<T> change) {
    K key = keyOf.apply(change.value());
    T current = rows.get(key);
    Change<T> before = pendingBefore.remove(key);
    if (before != null) {
      check(
          change.kind() == RowKind.UPDATE_AFTER,
          "UPDATE_BEFORE not followed by its key's UPDATE_AFTER",
          change,
          before.value());
    } else {
      check(
          change.kind() != RowKind.UPDATE_AFTER,
          "UPDATE_AFTER without its UPDATE_BEFORE",
          change,
          current);
    }
    switch (change.kind()) {
      case INSERT:
        check(current == null, "INSERT of existing key", change, current);
        rows.put(key, change.value());
        break;
      case UPDATE_BEFORE:
        check(current != null, "UPDATE_BEFORE of missing key", change, null);
        check(
            Objects.equals(current, change.value()),
            "UPDATE_BEFORE of a value that is not current",
            change,
            current);
        pendingBefore.put(key, change);
        return; // the pair counts as one change
      case UPDATE_AFTER:
        check(current != null, "UPDATE_AFTER of missing key", change, null);
        check(
            !Objects.equals(current, change.value()),
            "UPDATE_AFTER without a change",
            change,
            current);
        rows.put(key, change.value());
        break;
      case DELETE:
        check(
            Objects.equals(current, change.value()),
            "DELETE of a value that is not current",
            change,
            current);
        rows.remove(key);
        break;
      default:
        throw new AssertionError(name + ": unexpected row kind " + change);
    }
    changes++;
  }

  public Map<K, T> rows() {
    check(pendingBefore.isEmpty(), "changelog ends inside an update", null, null);
    return rows;
  }

  public long changeCount() {
    return changes;
  }

  private void check(boolean ok, String what, Change<T> change, T current) {
    if (!ok) {
      throw new AssertionError(name + ": " + what + ": " + change + " (current: " + current + ")");
    }
  }
}
