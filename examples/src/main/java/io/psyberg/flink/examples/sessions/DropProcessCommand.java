package io.psyberg.flink.examples.sessions;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.CatalogOptions;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.PsybergCommand;
import io.psyberg.flink.examples.jobs.CatalogHandle;
import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import java.io.PrintStream;
import java.util.List;
import java.util.TreeSet;
import org.apache.iceberg.ManageSnapshots;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code drop-process --process P}: forgets an abandoned process: drops the refs psyberg keeps for
 * it on its target tables (so snapshot expiry may remove what they held) and its rows in {@code
 * psyberg.high_watermarks}. Its published data and its session log stay. A process run again
 * afterwards starts from its targets' published high watermark, if any is still in their history,
 * else as a new process.
 */
@Command(
    name = "drop-process",
    description = "Drop an abandoned process's refs on its targets and its high-watermark rows.",
    customSynopsis = "${COMMAND-FULL-NAME} --process P [catalog options]")
public final class DropProcessCommand extends PsybergCommand {

  @Option(
      names = "--process",
      paramLabel = "P",
      required = true,
      description = "the process to drop")
  private String process;

  @Mixin private CatalogOptions catalog;

  @Override
  protected int execute(PrintStream out, PrintStream err) throws Exception {
    CatalogSpec spec = catalog.spec();
    try (CatalogHandle opened = CatalogHandle.open(spec)) {
      SessionLog log = new SessionLog(opened.catalog(), spec.metadataNamespace());
      HighWatermarkMirror mirror =
          new HighWatermarkMirror(opened.catalog(), spec.metadataNamespace());
      List<Session> sessions = log.sessions(process);
      if (sessions.isEmpty() && mirror.read(process).isEmpty()) {
        TreeSet<String> known = new TreeSet<>();
        log.allSessions().forEach(s -> known.add(s.processName()));
        throw new CommandException(
            "drop-process: no process '"
                + process
                + "' in the session log or the high watermarks"
                + (known.isEmpty() ? "" : " (processes: " + String.join(", ", known) + ")")
                + ". Check the name with 'sessions --stale'.");
      }
      List<ProcessRefs.Ref> refs = ProcessRefs.of(opened.catalog(), process, sessions, mirror);
      for (ProcessRefs.Ref ref : refs) {
        Table table = opened.catalog().loadTable(TableIdentifier.parse(ref.table()));
        SnapshotRef current = table.refs().get(ref.name());
        if (current == null) {
          continue;
        }
        ManageSnapshots change = table.manageSnapshots();
        if (current.isTag()) {
          change.removeTag(ref.name());
        } else {
          change.removeBranch(ref.name());
        }
        change.commit();
        out.println("dropped " + (current.isTag() ? "tag " : "branch ") + ref);
      }
      int rows = mirror.remove(process);
      out.println(
          "Process "
              + process
              + " dropped: "
              + refs.size()
              + (refs.size() == 1 ? " ref, " : " refs, ")
              + rows
              + (rows == 1 ? " high-watermark row" : " high-watermark rows")
              + ". Its published data and session log are kept.");
      return ExitCodes.OK;
    }
  }
}
