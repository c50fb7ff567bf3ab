package io.psyberg.flink.examples.reliability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares two row multisets and, when they differ, fails with what is missing and what is
 * unexpected (a duplicate counts as unexpected), not with both whole lists: a failure on a large
 * result must show its difference first, where a cut log still holds it.
 */
final class SameRows {
  private static final int SHOWN = 20;

  private SameRows() {}

  static void assertSame(String what, List<String> actual, List<String> expected) {
    String difference = difference(what, actual, expected);
    if (difference != null) {
      throw new AssertionError(difference);
    }
  }

  /** What differs between the two multisets, or null when they are the same. */
  static String difference(String what, List<String> actual, List<String> expected) {
    Map<String, Integer> balance = new HashMap<>();
    actual.forEach(r -> balance.merge(r, 1, Integer::sum));
    expected.forEach(r -> balance.merge(r, -1, Integer::sum));
    List<String> missing = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    balance.forEach(
        (row, n) -> {
          for (int i = 0; i < Math.abs(n); i++) {
            (n < 0 ? missing : unexpected).add(row);
          }
        });
    if (missing.isEmpty() && unexpected.isEmpty()) {
      return null;
    }
    missing.sort(null);
    unexpected.sort(null);
    return String.format(
        "[%s] %d rows published, %d expected: %d missing %s, %d unexpected %s",
        what,
        actual.size(),
        expected.size(),
        missing.size(),
        first(missing),
        unexpected.size(),
        first(unexpected));
  }

  private static List<String> first(List<String> rows) {
    return rows.size() <= SHOWN ? rows : rows.subList(0, SHOWN);
  }
}
