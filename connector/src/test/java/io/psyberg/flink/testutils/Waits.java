package io.psyberg.flink.testutils;

import java.time.Duration;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.flink.util.FlinkException;
import org.apache.flink.util.function.SupplierWithException;

/**
 * Waits on conditions with Flink's {@link CommonTestUtils#waitUntilCondition}, bounded by a
 * timeout: one that fails saying what was awaited and how things stand, and one whose timeout is
 * not a failure (e.g. an armed fault that was not reached).
 */
public final class Waits {
  private static final long INTERVAL_MILLIS = 100;

  private Waits() {}

  /**
   * Waits until {@code condition} holds; after {@code timeout} fails with {@code what} and what
   * {@code state} reports then.
   */
  public static void await(
      String what,
      Duration timeout,
      SupplierWithException<Boolean, Exception> condition,
      SupplierWithException<String, Exception> state)
      throws Exception {
    if (!holdsWithin(timeout, condition)) {
      throw new AssertionError(what + " within " + timeout + "; now: " + state.get());
    }
  }

  /** Whether {@code condition} holds within {@code timeout}. */
  public static boolean holdsWithin(
      Duration timeout, SupplierWithException<Boolean, Exception> condition) throws Exception {
    try {
      CommonTestUtils.waitUntilCondition(
          condition, INTERVAL_MILLIS, (int) Math.max(1, timeout.toMillis() / INTERVAL_MILLIS));
      return true;
    } catch (FlinkException exhausted) {
      // waitUntilCondition's way of saying the attempts ran out
      return false;
    }
  }
}
