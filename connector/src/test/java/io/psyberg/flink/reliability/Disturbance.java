package io.psyberg.flink.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Something else working on the catalog while a run goes on (a foreign writer, a snapshot-expiry
 * job): a background thread that repeats an action with seeded random pauses until stopped, bounded
 * in count. Failures of the action are kept, not thrown: the test decides what they mean.
 */
final class Disturbance implements AutoCloseable {
  /** One step of the disturbance; {@code i} counts from 0. */
  interface Action {
    void run(int i) throws Exception;
  }

  private final Thread thread;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Throwable> failures = new ArrayList<>();
  private volatile int done;

  private Disturbance(
      String name, long seed, int minPauseMs, int maxPauseMs, int maxActions, Action action) {
    Random random = new Random(seed);
    thread =
        new Thread(
            () -> {
              for (int i = 0; i < maxActions && !stop.get(); i++) {
                try {
                  action.run(i);
                  done++;
                } catch (Throwable t) {
                  synchronized (failures) {
                    failures.add(t);
                  }
                }
                sleep(minPauseMs + random.nextInt(Math.max(1, maxPauseMs - minPauseMs)));
              }
            },
            name);
    thread.setDaemon(true);
  }

  static Disturbance start(
      String name, long seed, int minPauseMs, int maxPauseMs, int maxActions, Action action) {
    Disturbance d = new Disturbance(name, seed, minPauseMs, maxPauseMs, maxActions, action);
    d.thread.start();
    return d;
  }

  /** Actions that completed. */
  int done() {
    return done;
  }

  List<Throwable> failures() {
    synchronized (failures) {
      return List.copyOf(failures);
    }
  }

  /** Stops after the current action and waits for it. */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join(TimeUnit.SECONDS.toMillis(60));
    if (thread.isAlive()) {
      throw new IllegalStateException(thread.getName() + " did not stop within 60 s");
    }
  }

  private static void sleep(int ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
