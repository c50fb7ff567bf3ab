package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Finds the tables a process publishes to: those that carry its publish tag ({@link
 * PublishedHighWatermark#tagOf}), with the high watermark of its newest publish on each. A backfill
 * needs no list of sources or targets: the process's own publishes say what they are.
 */
final class ProcessTargets {

  /** A target as it is now: its main head and the process's high watermark in it. */
  record Target(
      String name, Table table, Map<String, Long> highWatermark, @Nullable Long mainSnapshot) {}

  private ProcessTargets() {}

  /** The process's targets, by name. */
  static List<Target> find(Catalog catalog, String metadataNamespace, String process)
      throws CommandException {
    List<Target> out = new ArrayList<>();
    for (TableIdentifier id : tables(catalog, metadataNamespace)) {
      Table table = catalog.loadTable(id);
      if (table.refs().containsKey(PublishedHighWatermark.tagOf(process))) {
        out.add(read(id.toString(), table, process));
      }
    }
    if (out.isEmpty()) {
      throw new CommandException(
          "process "
              + process
              + " has published nothing yet: no table carries its tag "
              + PublishedHighWatermark.tagOf(process)
              + ". Run the process once (e.g. the signups or lifecycle command), then start the"
              + " backfill.");
    }
    return out;
  }

  /** The target as it is now (main head and high watermark read together). */
  static Target read(String name, Table table, String process) throws CommandException {
    table.refresh();
    Optional<PublishedHighWatermark> hwm = PublishedHighWatermark.find(table, process);
    if (hwm.isEmpty()) {
      throw new CommandException(
          "target " + name + " has no publish of process " + process + " on its main branch.");
    }
    Long head = table.currentSnapshot() == null ? null : table.currentSnapshot().snapshotId();
    return new Target(name, table, hwm.get().positions(), head);
  }

  /**
   * The high watermark all targets share.
   *
   * @throws CommandException when a run of the process stopped between the publishes of its
   *     targets, leaving them at different high watermarks
   */
  static Map<String, Long> sharedHighWatermark(String process, List<Target> targets)
      throws CommandException {
    Map<String, Long> first = targets.get(0).highWatermark();
    for (Target t : targets) {
      if (!t.highWatermark().equals(first)) {
        throw new CommandException(
            String.format(
                "the targets of process %s are at different high watermarks (%s: %s, %s: %s): a"
                    + " run stopped between its publishes. Run the process once more so that they"
                    + " are level, then retry.",
                process, targets.get(0).name(), first, t.name(), t.highWatermark()));
      }
    }
    return first;
  }

  private static List<TableIdentifier> tables(Catalog catalog, String metadataNamespace) {
    List<TableIdentifier> out = new ArrayList<>();
    if (!(catalog instanceof SupportsNamespaces)) {
      return out;
    }
    List<Namespace> pending = new ArrayList<>(((SupportsNamespaces) catalog).listNamespaces());
    while (!pending.isEmpty()) {
      Namespace ns = pending.remove(0);
      if (ns.toString().equals(metadataNamespace)) {
        continue;
      }
      out.addAll(catalog.listTables(ns));
      pending.addAll(((SupportsNamespaces) catalog).listNamespaces(ns));
    }
    out.sort((a, b) -> a.toString().compareTo(b.toString()));
    return out;
  }
}
