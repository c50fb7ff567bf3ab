package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.backfill.BackfillBranch;
import io.psyberg.flink.backfill.BackfillChunkFiles;
import io.psyberg.flink.catalog.CatalogSpec;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The {@code --job sql} backfill: the user's Flink SQL script computes the process's output. The
 * range is built one day of event time per chunk (the whole history in one chunk for {@code
 * --all}); each chunk runs the script with the sources as of the backfill's fixed snapshots and
 * keeps the rows of the chunk's day in each target's time column. Up to {@code
 * psyberg.backfill.chunks-per-job} chunks run as one Flink job and are then committed together,
 * each as its own snapshot on the branches, in one transaction per target; when such a job fails
 * its chunks run one job each, so the chunks before the failing one are committed. The script's
 * path is kept on the branches, so resume, validate and publish run the script found there.
 */
public final class SqlBackfill implements BackfillJob {
  /** Branch property: the script's absolute path. */
  static final String SCRIPT = "sql-script";

  private final Map<String, Long> fixed;
  private final BackfillRange range;
  private final SqlBackfillScript script;
  private final Map<String, Expression> ranges = new LinkedHashMap<>();
  private final List<BackfillRange> chunks;
  private final SqlChunkRunner runner;
  private final int chunksPerJob;

  /** The last catch-up: the snapshots it reached and its rows. */
  @Nullable private Map.Entry<Map<String, Long>, Map<String, Replacement>> caughtUp;

  /** The first job, planned at start and not run yet. */
  @Nullable private SqlChunkBatch first;

  /** Chunks of a job that failed: each runs alone now, to find the one that fails. */
  private final Set<Integer> alone = new HashSet<>();

  /**
   * @param file the script; null to use the one recorded on the backfill's branches
   * @param check whether to plan the script before anything is built (at start): the first job is
   *     planned, and run so when the build starts with it
   * @throws SqlBackfillException when the script is missing or does not fit the process
   */
  public SqlBackfill(
      Catalog catalog,
      Backfill backfill,
      @Nullable Path file,
      CatalogSpec spec,
      Map<String, String> catalogOptions,
      boolean check) {
    this.fixed = backfill.sourceSnapshots();
    this.range = new BackfillRange(backfill.rangeFrom(), backfill.rangeTo());
    Map<String, Table> targets = new LinkedHashMap<>();
    backfill
        .targetTables()
        .forEach(t -> targets.put(t, catalog.loadTable(TableIdentifier.parse(t))));
    this.script =
        SqlBackfillScript.read(file != null ? file : recordedScript(backfill, targets.values()));
    this.chunksPerJob = script.chunksPerJob();
    script.placeholdersPerJob();
    Map<String, Schema> schemas = new LinkedHashMap<>();
    Map<String, String> timeColumns = new LinkedHashMap<>();
    targets.forEach(
        (name, table) -> {
          String column = timeColumn(name, table.schema());
          schemas.put(name, table.schema());
          timeColumns.put(name, column);
          ranges.put(name, range.filter(column));
        });
    this.chunks = days(range);
    this.runner =
        new SqlChunkRunner(
            script,
            backfill.backfillId(),
            backfill.processName(),
            spec,
            catalogOptions,
            schemas,
            timeColumns);
    if (check) {
      runner.startCluster();
      // the check plans the first job for real: the build runs it as planned
      this.first = runner.prepare(chunks.subList(0, Math.min(chunks.size(), chunksPerJob)), fixed);
    }
  }

  @Override
  public Map<String, String> branchProperties() {
    return Map.of(SCRIPT, script.file().toAbsolutePath().toString());
  }

  @Override
  public Map<String, Expression> ranges() {
    return ranges;
  }

  @Override
  public int chunkCount() {
    return chunks.size();
  }

  @Override
  public Map<String, List<Record>> chunk(int chunk) {
    return runner.run(chunks.get(chunk), fixed);
  }

  @Override
  public void building(List<Integer> chunks) {
    if (!chunks.isEmpty()) {
      runner.startCluster();
    }
  }

  /**
   * One Flink job writes the targets' files of the first pending chunk and of the ones after it, up
   * to the script's chunks per job (rows never pass through this JVM); exactly those files are the
   * chunks' commits, one snapshot per chunk, all of a target's in one transaction.
   */
  @Override
  public Committed commitNext(
      String backfillId,
      List<Integer> pending,
      Map<Integer, Map<String, Table>> targets,
      Map<String, Long> heads) {
    Map<Integer, Map<String, List<byte[]>>> files = write(pending);
    Map<String, Long> out = new LinkedHashMap<>();
    for (String name : ranges.keySet()) {
      Map<Integer, List<byte[]>> chunksOfTarget = new LinkedHashMap<>();
      Table table = null;
      for (Map.Entry<Integer, Map<String, List<byte[]>>> chunk : files.entrySet()) {
        Table target = targets.get(chunk.getKey()).get(name);
        if (target != null) {
          table = target;
          chunksOfTarget.put(chunk.getKey(), chunk.getValue().get(name));
        }
      }
      if (table != null) {
        out.put(
            name, BackfillChunkFiles.commit(table, backfillId, chunksOfTarget, heads.get(name)));
      }
    }
    return new Committed(List.copyOf(files.keySet()), out);
  }

  /**
   * Runs the job of the first of {@code pending} and the chunks after it, up to the chunks per job;
   * what each chunk wrote, per target, in chunk order.
   */
  private Map<Integer, Map<String, List<byte[]>>> write(List<Integer> pending) {
    int chunk = pending.get(0);
    List<Integer> batch =
        alone.contains(chunk)
            ? List.of(chunk)
            : pending.subList(0, Math.min(pending.size(), chunksPerJob));
    Map<Integer, Map<String, List<byte[]>>> out = new LinkedHashMap<>();
    try {
      List<Map<String, List<byte[]>>> files = runner.write(planned(batch));
      for (int i = 0; i < batch.size(); i++) {
        out.put(batch.get(i), files.get(i));
      }
      return out;
    } catch (SqlBackfillException e) {
      if (batch.size() == 1) {
        throw e;
      }
      // One job does not say which chunk failed: each runs alone now, so the chunks before the
      // failing one are committed and the error names it.
      alone.addAll(batch);
      out.put(chunk, runner.write(List.of(chunks.get(chunk)), fixed).get(0));
      return out;
    }
  }

  /**
   * The script over the whole range at the newer snapshots replaces the branch's range. A publish
   * asks once per target for the same snapshots: the script runs once for all targets.
   */
  @Override
  public Map<String, Replacement> catchUp(Map<String, Long> from, Map<String, Long> to) {
    if (caughtUp != null && caughtUp.getKey().equals(to)) {
      return caughtUp.getValue();
    }
    Map<String, List<Record>> rows = new LinkedHashMap<>();
    ranges.keySet().forEach(t -> rows.put(t, new ArrayList<>()));
    for (BackfillRange chunk : chunks) {
      runner.run(chunk, to).forEach((t, r) -> rows.get(t).addAll(r));
    }
    Map<String, Replacement> out = new LinkedHashMap<>();
    ranges.forEach((t, filter) -> out.put(t, new Replacement(filter, rows.get(t))));
    caughtUp = Map.entry(new HashMap<>(to), out);
    return out;
  }

  /** The job of {@code batch}: the one planned at start if it is that one, else planned now. */
  private SqlChunkBatch planned(List<Integer> batch) {
    List<BackfillRange> ranges = batch.stream().map(chunks::get).toList();
    SqlChunkBatch start = first;
    first = null;
    if (start != null && start.chunks().equals(ranges)) {
      return start;
    }
    if (start != null) {
      start.close();
    }
    return runner.prepare(ranges, fixed);
  }

  @Override
  public void close() {
    if (first != null) {
      first.close();
      first = null;
    }
    runner.close();
  }

  /** One chunk per calendar day of the range; the whole history is one chunk. */
  static List<BackfillRange> days(BackfillRange range) {
    if (range.from() == null || range.to() == null) {
      return List.of(range);
    }
    List<BackfillRange> out = new ArrayList<>();
    LocalDateTime start = range.from();
    while (start.isBefore(range.to())) {
      LocalDateTime next = start.toLocalDate().plusDays(1).atStartOfDay();
      LocalDateTime end = next.isAfter(range.to()) ? range.to() : next;
      out.add(new BackfillRange(start, end));
      start = end;
    }
    return out;
  }

  private String timeColumn(String target, Schema schema) {
    String column =
        script
            .timeColumn(target)
            .orElseThrow(
                () ->
                    new SqlBackfillException(
                        String.format(
                            "backfill script %s does not say which column of %s holds the event"
                                + " time the range applies to: add SET '%s' = 'COLUMN'; (or SET"
                                + " '%s.%s' = 'COLUMN'; for this target only)",
                            script.file(),
                            target,
                            SqlBackfillScript.TIME_COLUMN,
                            SqlBackfillScript.TIME_COLUMN,
                            target)));
    Types.NestedField field = schema.findField(column);
    if (field == null || field.type().typeId() != Type.TypeID.TIMESTAMP) {
      throw new SqlBackfillException(
          String.format(
              "backfill script %s names %s as the time column of %s, which %s: name a TIMESTAMP"
                  + " column of the target",
              script.file(),
              column,
              target,
              field == null ? "has no such column" : "is of type " + field.type()));
    }
    return column;
  }

  private static Path recordedScript(Backfill backfill, Iterable<Table> targets) {
    Table first = targets.iterator().next();
    return BackfillBranch.property(first, backfill.backfillId(), SCRIPT)
        .map(Path::of)
        .orElseThrow(
            () ->
                new SqlBackfillException(
                    "backfill "
                        + backfill.backfillId()
                        + " has no script recorded on branch "
                        + backfill.branch()
                        + " of "
                        + first.name()
                        + ": was the branch dropped? Abort it and start a new one with --file"));
  }
}
