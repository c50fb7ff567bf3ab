package io.psyberg.flink.sink.commit;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.iceberg.ManageSnapshots;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;

/**
 * Commits a branch change (remove an audit branch, fast-forward main) on freshly refreshed
 * metadata, again when it loses a race. Iceberg 1.6's {@code ManageSnapshots} re-applies its change
 * on the base it started from when its own commit retries, so any concurrent commit to the table (a
 * foreign append, a snapshot expiry, another run) made it fail with "Table metadata refresh is
 * required".
 */
final class RefChanges {
  static final int ATTEMPTS = 8;

  private RefChanges() {}

  /**
   * Builds the change with {@code change} on the current metadata and commits it, up to {@link
   * #ATTEMPTS} times. Whatever {@code change} throws (e.g. Iceberg's check of a fast-forward) ends
   * the attempts at once.
   *
   * @throws CommitFailedException when every attempt lost a race
   */
  static void commit(Table table, Consumer<ManageSnapshots> change) {
    commitUnless(table, () -> Optional.empty(), change);
  }

  /**
   * As {@link #commit}, but each attempt first asks {@code conflict} about the refreshed metadata
   * and commits nothing once it names one.
   *
   * @return empty once the change is committed, else the conflict that stopped it
   * @throws CommitFailedException when every attempt lost a race
   */
  static Optional<String> commitUnless(
      Table table, Supplier<Optional<String>> conflict, Consumer<ManageSnapshots> change) {
    for (int attempt = 1; ; attempt++) {
      table.refresh();
      Optional<String> found = conflict.get();
      if (found.isPresent()) {
        return found;
      }
      ManageSnapshots manage = table.manageSnapshots();
      change.accept(manage);
      try {
        manage.commit();
        return Optional.empty();
      } catch (CommitFailedException lost) {
        if (attempt >= ATTEMPTS) {
          throw lost;
        }
        pause(attempt);
      }
    }
  }

  /** Removes {@code branch} if it is still there, retried like any branch change. */
  static void removeBranch(Table table, String branch) {
    commit(
        table,
        m -> {
          if (table.refs().containsKey(branch)) {
            m.removeBranch(branch);
          }
        });
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(10L * attempt + ThreadLocalRandom.current().nextInt(20));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommitFailedException(e, "interrupted while retrying a branch change");
    }
  }
}
