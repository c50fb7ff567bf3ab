package io.psyberg.flink.examples.sessions;

import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.sink.PsybergSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * The refs psyberg keeps for one process on the tables it published to: the tag at its newest
 * publish ({@code psyberg-published-<process>}) and the audit branches of its sessions that were
 * never published. They hold snapshots (and their files) from expiry, so an abandoned process's
 * refs are listed by {@code sessions --stale} and dropped by {@code drop-process}.
 */
final class ProcessRefs {
  /** One ref on one table. */
  record Ref(String table, String name, long snapshotId) {
    @Override
    public String toString() {
      return table + "@" + name;
    }
  }

  private ProcessRefs() {}

  /** The tables a process published to or staged on, from its sessions and mirrored HWMs. */
  static TreeSet<String> targets(
      String process, List<Session> sessions, HighWatermarkMirror mirror) {
    TreeSet<String> out = new TreeSet<>();
    sessions.stream().filter(s -> s.targetTable() != null).forEach(s -> out.add(s.targetTable()));
    mirror.read(process).values().stream()
        .filter(e -> e.targetTable != null)
        .forEach(e -> out.add(e.targetTable));
    return out;
  }

  static List<Ref> of(
      Catalog catalog, String process, List<Session> sessions, HighWatermarkMirror mirror) {
    List<Ref> out = new ArrayList<>();
    for (String target : targets(process, sessions, mirror)) {
      TableIdentifier id = TableIdentifier.parse(target);
      if (!catalog.tableExists(id)) {
        continue;
      }
      Table table = catalog.loadTable(id);
      for (Map.Entry<String, SnapshotRef> ref : table.refs().entrySet()) {
        if (belongsTo(ref.getKey(), process, sessions)) {
          out.add(new Ref(target, ref.getKey(), ref.getValue().snapshotId()));
        }
      }
    }
    return out;
  }

  private static boolean belongsTo(String ref, String process, List<Session> sessions) {
    if (ref.equals(PublishedHighWatermark.tagOf(process))) {
      return true;
    }
    return sessions.stream()
        .anyMatch(s -> ref.equals(PsybergSink.AUDIT_BRANCH_PREFIX + s.sessionId()));
  }
}
