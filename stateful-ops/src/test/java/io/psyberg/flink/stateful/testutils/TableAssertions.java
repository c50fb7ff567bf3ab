package io.psyberg.flink.stateful.testutils;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Compact comparison of two keyed tables: reports the count and the first differing keys, not whole
 * tables.
 */
public final class TableAssertions {

  private TableAssertions() {}

  public static <K extends Comparable<K>, T> void assertSameRows(
      String what, Map<K, T> actual, Map<K, T> expected) {
    TreeSet<K> keys = new TreeSet<>(actual.keySet());
    keys.addAll(expected.keySet());
    List<String> diffs = new ArrayList<>();
    int count = 0;
    for (K key : keys) {
      T a = actual.get(key);
      T e = expected.get(key);
      if (!Objects.equals(a, e)) {
        count++;
        if (diffs.size() < 8) {
          diffs.add(key + ":\n    actual   " + a + "\n    expected " + e);
        }
      }
    }
    if (count > 0) {
      throw new AssertionError(
          String.format(
              "%s: %d of %d keys differ (expected %d rows, got %d), first:%n  %s",
              what,
              count,
              keys.size(),
              expected.size(),
              actual.size(),
              String.join("\n  ", diffs)));
    }
  }
}
