package io.psyberg.flink.metadata;

import io.psyberg.flink.PsybergException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.flink.annotation.Internal;

/**
 * Runs independent tasks side by side on a few daemon threads of their own and hands back their
 * results in the tasks' order: the large reads and writes a client JVM does outside a Flink job (a
 * backfill's chunk), which would otherwise use one core.
 */
@Internal
public final class SideBySide {
  private SideBySide() {}

  /**
   * The results of {@code tasks}, in order, run on up to {@code threads} threads named {@code
   * name}; the first failure is thrown (a runtime exception as it is, an I/O error as an {@link
   * UncheckedIOException} saying {@code what} failed) and the other tasks are cancelled.
   */
  public static <T> List<T> run(String name, int threads, String what, List<Callable<T>> tasks) {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(threads, tasks.size())),
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<T>> running = new ArrayList<>();
      tasks.forEach(task -> running.add(pool.submit(task)));
      List<T> out = new ArrayList<>(tasks.size());
      for (Future<T> f : running) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PsybergException("Interrupted: " + what, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof IOException io) {
        throw new UncheckedIOException(what + ": " + io.getMessage(), io);
      }
      throw new PsybergException(what + ": " + cause, cause);
    } finally {
      pool.shutdownNow();
    }
  }
}
