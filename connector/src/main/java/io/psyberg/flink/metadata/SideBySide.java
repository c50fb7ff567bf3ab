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
   * The results of {@code tasks}, in order, run on up to {@code threads} threads named {@code name}
   * (on the calling thread when there is one task or one thread); the first failure is thrown (a
   * runtime exception as it is, an I/O error as an {@link UncheckedIOException} saying {@code what}
   * failed) and the other tasks are cancelled.
   */
  public static <T> List<T> run(String name, int threads, String what, List<Callable<T>> tasks) {
    if (tasks.size() < 2 || threads < 2) {
      // nothing to run side by side: on this thread, without a pool
      List<T> out = new ArrayList<>(tasks.size());
      for (Callable<T> task : tasks) {
        try {
          out.add(task.call());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new PsybergException("Interrupted: " + what, e);
        } catch (Exception e) {
          throw failed(e, what);
        }
      }
      return out;
    }
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
      throw failed(e.getCause(), what);
    } finally {
      pool.shutdownNow();
    }
  }

  private static RuntimeException failed(Throwable cause, String what) {
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    if (cause instanceof IOException io) {
      return new UncheckedIOException(what + ": " + io.getMessage(), io);
    }
    return new PsybergException(what + ": " + cause, cause);
  }
}
