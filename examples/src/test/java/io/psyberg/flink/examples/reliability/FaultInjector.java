package io.psyberg.flink.examples.reliability;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The faults of one test JVM: at most one fault is armed at a time (a point, a kind, and how many
 * matching file operations to let pass first); the first matching operation after that fires it.
 * Every fired fault is logged and counted. State is static because the MiniCluster runs jobs in the
 * test's JVM while {@link FaultyFileIO} is instantiated by Iceberg inside the tasks.
 *
 * <p>Choices are drawn from a seeded {@link Random} the test owns ({@link #choose}), so a failing
 * run can be repeated with the same seed (timings of continuous jobs still vary).
 */
public final class FaultInjector {
  /** An armed fault. */
  public record Armed(FaultPoint point, FaultKind kind, int skip, String scenario) {}

  /** A fault that fired. */
  public record Fired(
      int number, String scenario, FaultPoint point, FaultKind kind, String thread, String file) {
    @Override
    public String toString() {
      return String.format("#%d %s %s %s in %s on %s", number, scenario, point, kind, thread, file);
    }
  }

  private static volatile Armed armed;
  private static int passed;
  private static final List<Fired> FIRED = new ArrayList<>();

  private FaultInjector() {}

  /**
   * Draws a random fault: a point among {@code points}, a kind (kills only where killable), a skip
   * count.
   */
  public static Armed choose(Random rnd, String scenario, List<FaultPoint> points) {
    FaultPoint point = points.get(rnd.nextInt(points.size()));
    FaultKind kind = point.killable() && rnd.nextInt(3) == 0 ? FaultKind.KILL : FaultKind.EXCEPTION;
    return new Armed(point, kind, rnd.nextInt(maxSkip(point) + 1), scenario);
  }

  /**
   * How many matching operations a fault may let pass: fewer than one session does at that point (a
   * bounded run of a small batch reads one data file and publishes once; it writes a dozen
   * metadata-table files).
   */
  private static int maxSkip(FaultPoint point) {
    switch (point) {
      case READER:
      case AUDIT:
      case PUBLISH:
        return 0;
      case WRITER:
        return 1;
      case STAGE:
        return 2;
      case PLANNING:
        return 3;
      case METADATA:
      default:
        return 5;
    }
  }

  public static synchronized void arm(Armed fault) {
    armed = fault;
    passed = 0;
  }

  /** Disarms the armed fault, if any; returns whether one was still armed (it never fired). */
  public static synchronized boolean disarm() {
    boolean was = armed != null;
    armed = null;
    return was;
  }

  public static boolean isArmed() {
    return armed != null;
  }

  /** The point of the armed fault, or null; a cheap check before classifying an operation. */
  static FaultPoint armedPoint() {
    Armed a = armed;
    return a == null ? null : a.point();
  }

  /** Called at a matching operation: fires the armed fault when its turn has come. */
  static void reached(FaultPoint point, String file) {
    Fired fired;
    synchronized (FaultInjector.class) {
      Armed a = armed;
      if (a == null || a.point() != point) {
        return;
      }
      if (passed++ < a.skip()) {
        return;
      }
      armed = null;
      fired =
          new Fired(
              FIRED.size() + 1,
              a.scenario(),
              point,
              a.kind(),
              Thread.currentThread().getName(),
              file);
      FIRED.add(fired);
    }
    String message = "injected fault " + fired;
    if (fired.kind() == FaultKind.KILL) {
      throw new InjectedKill(message);
    }
    throw new InjectedFault(message);
  }

  public static synchronized List<Fired> fired() {
    return List.copyOf(FIRED);
  }

  public static synchronized List<Fired> fired(String scenario) {
    return FIRED.stream().filter(f -> f.scenario().equals(scenario)).toList();
  }

  /** Fired faults per point, for the report. */
  public static synchronized Map<FaultPoint, Integer> countByPoint() {
    Map<FaultPoint, Integer> counts = new EnumMap<>(FaultPoint.class);
    FIRED.forEach(f -> counts.merge(f.point(), 1, Integer::sum));
    return counts;
  }

  /** The log of fired faults, one per line. */
  public static synchronized String log() {
    StringBuilder sb = new StringBuilder();
    FIRED.forEach(f -> sb.append(f).append('\n'));
    return sb.toString();
  }
}
