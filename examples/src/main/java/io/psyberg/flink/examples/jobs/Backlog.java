package io.psyberg.flink.examples.jobs;

import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import java.io.PrintStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * What a bounded run capped by {@code --max-snapshots-per-session} catches up with: each source
 * table's current snapshot when the run starts. The run processes it as consecutive sessions, each
 * ending no later than these snapshots; snapshots committed after the start wait for the next run,
 * so a busy source cannot keep one run going forever.
 */
public final class Backlog {
  private final int cap;
  private final Map<String, Long> end;

  private Backlog(int cap, Map<String, Long> end) {
    this.cap = cap;
    this.end = end;
  }

  /** One bounded session ending no later than {@code endAt}: the sessions its job recorded. */
  public interface SessionRun {
    List<Session> run(Map<String, Long> endAt) throws CommandException;
  }

  /**
   * Runs one bounded session without a cap ({@code cap} 0), or, with one, sessions one after the
   * other until the backlog present now is published; a failed session's exception stops the run.
   */
  public static void catchUp(
      Catalog catalog, List<String> sources, int cap, PrintStream out, SessionRun session)
      throws CommandException {
    if (cap == 0) {
      session.run(Map.of());
      return;
    }
    Backlog backlog = atStart(catalog, sources, cap);
    backlog.printStart(out);
    while (session.run(backlog.end()).stream().anyMatch(backlog::leftAfter)) {
      backlog.printNext(out);
    }
  }

  /**
   * The current snapshot of each source table that has one, for a run of sessions of at most {@code
   * cap} new snapshots per source table.
   */
  private static Backlog atStart(Catalog catalog, List<String> sources, int cap) {
    Map<String, Long> end = new LinkedHashMap<>();
    for (String source : sources) {
      Snapshot current = catalog.loadTable(TableIdentifier.parse(source)).currentSnapshot();
      if (current != null) {
        end.put(source, current.snapshotId());
      }
    }
    return new Backlog(cap, end);
  }

  /** Says how the run catches up, before its first session. */
  public void printStart(PrintStream out) {
    String through =
        end.isEmpty()
            ? "no source table has a snapshot yet"
            : end.entrySet().stream()
                .map(e -> e.getKey() + " at snapshot " + e.getValue())
                .collect(Collectors.joining(", "));
    out.printf(
        "catching up in sessions of at most %d new snapshots per source table, up to the"
            + " snapshots current now (%s)%n",
        cap, through);
  }

  /** Says that a session left part of the backlog, before the next one. */
  public void printNext(PrintStream out) {
    out.println(
        "more of the backlog is left (--max-snapshots-per-session "
            + cap
            + "): running the next session ...");
  }

  /** Per source table, the snapshot the run's sessions end at or before. */
  public Map<String, Long> end() {
    return Collections.unmodifiableMap(end);
  }

  /**
   * Whether {@code session} was published short of the backlog's end in some source table (the cap
   * cut its range there), so the run goes on with the next session.
   */
  public boolean leftAfter(Session session) {
    if (session.status() != SessionStatus.PUBLISHED) {
      return false;
    }
    for (SourceRange range : session.ranges()) {
      Long last = end.get(range.table());
      if (last != null && !Objects.equals(range.toSnapshotId(), last)) {
        return true;
      }
    }
    return false;
  }
}
