package io.psyberg.flink.changes;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.planning.PlannedSnapshot;
import io.psyberg.flink.planning.SessionPlan;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.source.enumerator.SessionIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expressions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures a process's next session into a change table: plans it as the source would, records it
 * in {@code psyberg.sessions}, and commits a change-table snapshot whose content is exactly the
 * session's new data files, by their original paths (no file is copied or written). Each capture
 * replaces the previous content in one commit. While the captured session is not committed, a
 * capture returns it again; of two racing captures one wins the change table and the other returns
 * the winner's session.
 */
@PublicEvolving
public final class ChangeCapture {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeCapture.class);
  private static final int MAX_ATTEMPTS = 10;
  private static final String CAPTURE_BRANCH_PREFIX = "psyberg-capture-";

  /** Recorded as the session's mode in {@code psyberg.sessions}. */
  public static final String MODE = "capture";

  private ChangeCapture() {}

  /**
   * Captures into the default change table {@link ChangeTables#defaultName}, or into {@code
   * changeTable} when given.
   */
  public static CapturedSession capture(ChangeSettings settings, @Nullable String changeTable) {
    return capture(settings, changeTable, () -> {});
  }

  /**
   * As {@link #capture(ChangeSettings, String)}, running {@code afterPlan} between recording the
   * planned session and committing it to the change table: where a test lands a concurrent capture.
   */
  static CapturedSession capture(
      ChangeSettings settings, @Nullable String changeTable, Runnable afterPlan) {
    String name =
        changeTable == null
            ? ChangeTables.defaultName(settings.sourceTable(), settings.processName())
            : changeTable;
    Catalog c = settings.catalog().open();
    try {
      return new Run(c, settings, name, afterPlan).capture();
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  private static final class Run {
    private final Catalog catalog;
    private final ChangeSettings settings;
    private final String name;
    private final String process;
    private final SessionLog log;
    private final Runnable afterPlan;

    Run(Catalog catalog, ChangeSettings settings, String name, Runnable afterPlan) {
      this.afterPlan = afterPlan;
      this.catalog = catalog;
      this.settings = settings;
      this.name = name;
      this.process = settings.processName();
      this.log = new SessionLog(catalog, settings.catalog().metadataNamespace());
    }

    CapturedSession capture() {
      Table source = loadSource();
      Table change =
          ChangeTables.loadOrCreate(
              catalog, TableIdentifier.parse(name), source, settings.sourceTable(), process);
      for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        change.refresh();
        Snapshot head = change.currentSnapshot();
        Map<String, Long> positions = settings.positions(catalog);
        Optional<Session> open = uncommitted(head, positions);
        if (open.isPresent()) {
          LOG.info(
              "Process {}: session {} is captured in {} and not committed yet; returning it.",
              process,
              open.get().sessionId(),
              name);
          return new CapturedSession(open.get(), name, head.snapshotId(), true);
        }
        SessionPlan plan = settings.plan(catalog, SessionIds.next(), positions);
        Session planned = plan.session().toBuilder().mode(MODE).build();
        Session session =
            planned.hasNewSnapshots()
                ? planned
                : planned.finished(SessionStatus.EMPTY, null, null, null);
        List<DataFile> files = files(change, plan);
        log.record(session);
        afterPlan.run();
        Optional<Long> captured = replaceContent(change, head, session, files);
        if (captured.isPresent()) {
          LOG.info(
              "Process {}: captured session {} ({} files, {} rows) into {} as snapshot {}",
              process,
              session.sessionId(),
              files.size(),
              session.recordCount(),
              name,
              captured.get());
          return new CapturedSession(session, name, captured.get(), false);
        }
        log.record(session.finished(SessionStatus.ABORTED, null, null, null));
        LOG.info(
            "Process {}: another capture changed {} first; looking again (attempt {}).",
            process,
            name,
            attempt);
      }
      throw new PsybergException(
          String.format(
              "Process %s: could not capture into %s: it changed under each of %d attempts. Make"
                  + " sure only captures of this process write to it, then capture again.",
              process, name, MAX_ATTEMPTS));
    }

    private Table loadSource() {
      try {
        return catalog.loadTable(TableIdentifier.parse(settings.sourceTable()));
      } catch (NoSuchTableException e) {
        throw new PsybergException(
            String.format(
                "Process %s: source table %s does not exist in the catalog. Create it, or fix the"
                    + " source table name.",
                process, settings.sourceTable()),
            e);
      }
    }

    /**
     * The session the change table holds, if it is still open (not published, empty or given up)
     * and the process's high watermark has not moved past its start meanwhile.
     */
    private Optional<Session> uncommitted(@Nullable Snapshot head, Map<String, Long> positions) {
      String id = ChangeTableSummary.sessionOf(head);
      if (id == null) {
        return Optional.empty();
      }
      Optional<Session> session = log.find(process, id);
      if (session.isEmpty() || !session.get().status().isOpen()) {
        return Optional.empty();
      }
      String table = settings.sourceTable();
      if (positions.containsKey(table)
          && !Objects.equals(positions.get(table), session.get().range(table).fromSnapshotId())) {
        return Optional.empty();
      }
      return session;
    }

    /** The session's new data files, checked to fit the change table's partition specs. */
    private List<DataFile> files(Table change, SessionPlan plan) {
      List<DataFile> out = new ArrayList<>();
      for (PlannedSnapshot s : plan.snapshots()) {
        for (DataFile f : s.files()) {
          PartitionSpec mine = change.specs().get(f.specId());
          PartitionSpec theirs = s.source().specs().get(f.specId());
          if (mine == null || theirs == null || !mine.compatibleWith(theirs)) {
            throw new PsybergException(
                String.format(
                    "Process %s: data file %s of %s was written with partition spec %s, which"
                        + " change table %s does not have (the source's partitioning evolved?)."
                        + " Drop the change table; the next capture creates it with the source's"
                        + " specs.",
                    process, f.path(), settings.sourceTable(), theirs, name));
          }
          out.add(f);
        }
      }
      return out;
    }

    /**
     * Replaces the change table's content with {@code files}, unless another capture moved main
     * since {@code head}: staged on a branch made at {@code head}, then main is fast-forwarded to
     * it, which Iceberg refuses when main moved.
     *
     * @return the new snapshot, or empty when another capture won
     */
    private Optional<Long> replaceContent(
        Table change, Snapshot head, Session session, List<DataFile> files) {
      String branch = CAPTURE_BRANCH_PREFIX + session.sessionId();
      try {
        change.manageSnapshots().createBranch(branch, head.snapshotId()).commit();
        OverwriteFiles overwrite =
            change.newOverwrite().overwriteByRowFilter(Expressions.alwaysTrue());
        files.forEach(overwrite::addFile);
        ChangeTableSummary.of(session, session.ranges().get(0)).forEach(overwrite::set);
        overwrite.toBranch(branch).commit();
        change.refresh();
        long staged = change.refs().get(branch).snapshotId();
        change
            .manageSnapshots()
            .fastForwardBranch(SnapshotRef.MAIN_BRANCH, branch)
            .removeBranch(branch)
            .commit();
        return Optional.of(staged);
      } catch (CommitFailedException | IllegalArgumentException | ValidationException lost) {
        LOG.debug("Process {}: capture lost a race on {}: {}", process, name, lost.getMessage());
        dropBranch(change, branch);
        return Optional.empty();
      }
    }

    private void dropBranch(Table change, String branch) {
      for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        change.refresh();
        if (!change.refs().containsKey(branch)) {
          return;
        }
        try {
          change.manageSnapshots().removeBranch(branch).commit();
          return;
        } catch (CommitFailedException busy) {
          // Another capture committed meanwhile; look again.
        }
      }
      LOG.warn(
          "Process {}: could not remove branch {} of {}; drop it by hand.", process, branch, name);
    }
  }
}
