package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.ErrorMessages;
import io.psyberg.flink.examples.sql.LocalCluster;
import io.psyberg.flink.examples.sql.SqlRunner;
import io.psyberg.flink.examples.sql.SqlSession;
import io.psyberg.flink.examples.sql.SqlStatement;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.operations.ModifyOperation;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.operations.QueryOperation;
import org.apache.flink.table.operations.SinkModifyOperation;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.flink.FlinkConfigOptions;

/**
 * Runs a backfill's SQL script for chunks, each in a fresh batch session on a local cluster kept
 * for all chunks. Every source of the process is shadowed by a temporary view of the same name over
 * the source's given snapshot, so the script reads the sources by their names as of the backfill's
 * fixed snapshots. The INSERTs are not run as written: their jobs keep only the rows of the chunk's
 * range and write them to files (several chunks in one job) or collect them, and the caller commits
 * them on the branches.
 */
final class SqlChunkRunner implements AutoCloseable {
  private static final Map<String, String> BATCH =
      Map.of(ExecutionOptions.RUNTIME_MODE.key(), "batch");

  /**
   * Planned per chunk, the script reads the lake's tables with Iceberg's FLIP-27 source (a {@code
   * SET} in the script overrides it). Iceberg's older source plans each scan's splits while the
   * query is planned (to infer its parallelism) and serializes the table's Hadoop configuration to
   * check it: about half the planning of a chunk, paid again for every chunk. The FLIP-27 source
   * plans its splits when the job starts and reads at the session's parallelism; the chunks of a
   * job read side by side. Planned once per job, the older source's split count still sets how many
   * tasks read.
   */
  private static final Map<String, String> PER_CHUNK =
      Map.of(
          ExecutionOptions.RUNTIME_MODE.key(),
          "batch",
          FlinkConfigOptions.TABLE_EXEC_ICEBERG_USE_FLIP27_SOURCE.key(),
          "true");

  /** Slots per core of the backfill's local cluster. */
  static final int SLOTS_PER_CORE = 4;

  private final SqlBackfillScript script;
  private final String backfillId;
  private final String process;
  private final CatalogSpec catalog;
  private final Map<String, String> catalogOptions;
  private final Map<String, Schema> targets;
  private final Map<String, String> timeColumns;
  private final ScriptStatements statements;
  @Nullable private LocalCluster cluster;

  /**
   * @param targets target ({@code ns.table}) to its schema
   * @param timeColumns target to the column that says whether a row is in a chunk's range
   */
  SqlChunkRunner(
      SqlBackfillScript script,
      String backfillId,
      String process,
      CatalogSpec catalog,
      Map<String, String> catalogOptions,
      Map<String, Schema> targets,
      Map<String, String> timeColumns) {
    this.script = script;
    this.backfillId = backfillId;
    this.process = process;
    this.catalog = catalog;
    this.catalogOptions = catalogOptions;
    this.targets = targets;
    this.timeColumns = timeColumns;
    this.statements = new ScriptStatements(script, process, targets);
  }

  /** The script's rows for {@code chunk}, per target, with the sources at {@code snapshots}. */
  Map<String, List<Record>> run(BackfillRange chunk, Map<String, Long> snapshots) {
    Map<String, List<Record>> out = perTarget();
    try (SqlSession session = open()) {
      plan(
          session,
          chunk,
          snapshots,
          (s, env, inserts) ->
              inserts.forEach(i -> collect(s, env, i.target(), i.query(), chunk, out)));
    } catch (SqlBackfillException e) {
      throw e;
    } catch (Exception e) {
      throw failed(e);
    }
    return out;
  }

  /**
   * Runs the script for each of {@code chunks} with the sources at {@code snapshots}, all chunks in
   * one Flink job whose tasks write each chunk's rows to the targets' files (nothing committed):
   * what each chunk wrote, per target, in the order of {@code chunks}, for {@link
   * io.psyberg.flink.backfill.BackfillChunkFiles#commit}.
   */
  List<Map<String, List<byte[]>>> write(List<BackfillRange> chunks, Map<String, Long> snapshots) {
    return write(prepare(chunks, snapshots));
  }

  /**
   * Plans the job of {@code chunks} without running it: every statement must plan, every INSERT
   * must write a target with its columns and every target must be written. When the script's
   * statements other than its INSERTs do not depend on the chunk ({@link
   * SqlBackfillScript#chunksShareSession}), they run once and the chunks' INSERTs are planned in
   * that one session; otherwise each chunk is planned in its own session, so it sees only its own
   * placeholders and temporary objects. Run it with {@link #write(SqlChunkBatch)} or close it.
   */
  SqlChunkBatch prepare(List<BackfillRange> chunks, Map<String, Long> snapshots) {
    SqlChunkBatch batch =
        new SqlChunkBatch(chunks, new SqlChunkFiles(catalog, process, targets, timeColumns));
    try {
      if (script.placeholdersPerJob()) {
        planOnce(chunks, snapshots, batch);
      } else {
        planPerChunk(chunks, snapshots, batch);
      }
      return batch;
    } catch (SqlBackfillException e) {
      batch.close();
      throw e;
    } catch (Exception e) {
      batch.close();
      throw failed(e);
    }
  }

  /** Runs a job planned by {@link #prepare}: what each of its chunks wrote, as {@link #write}. */
  List<Map<String, List<byte[]>>> write(SqlChunkBatch batch) {
    try (batch) {
      Map<Integer, Map<String, List<byte[]>>> written;
      try {
        written = batch.job().run(jobName(batch.chunks()));
      } catch (Exception e) {
        // one INSERT statement: the error names it, as when it ran alone
        throw batch.inserts().size() == 1
            ? script.error(batch.inserts().get(0), "failed: " + ErrorMessages.describe(e))
            : failed(e);
      }
      List<Map<String, List<byte[]>>> out = new ArrayList<>();
      for (int i = 0; i < batch.chunks().size(); i++) {
        Map<String, List<byte[]>> chunk = perTarget();
        written.getOrDefault(i, Map.of()).forEach((t, w) -> chunk.get(t).addAll(w));
        out.add(chunk);
      }
      return out;
    }
  }

  /**
   * Runs the script once with the range of all {@code chunks}; each chunk keeps its own rows of
   * each INSERT's query ({@link SqlBackfillScript#placeholdersPerJob}).
   */
  private void planOnce(
      List<BackfillRange> chunks, Map<String, Long> snapshots, SqlChunkBatch batch)
      throws Exception {
    Map<Integer, BackfillRange> all = new LinkedHashMap<>();
    chunks.forEach(c -> all.put(all.size(), c));
    BackfillRange range =
        new BackfillRange(chunks.get(0).from(), chunks.get(chunks.size() - 1).to());
    batch.sessions().add(open());
    plan(
        batch.sessions().get(0),
        range,
        snapshots,
        (s, env, planned) -> {
          planned.forEach(p -> statements.checkColumns(s, p.target(), p.query()));
          batch.inserts().add(s);
          batch.job().add(batch.files().plan(env, planned, all));
        });
  }

  /**
   * Plans the script for each chunk with the chunk's placeholders: in one session when only the
   * INSERTs depend on the chunk, else in a session per chunk.
   */
  private void planPerChunk(
      List<BackfillRange> chunks, Map<String, Long> snapshots, SqlChunkBatch batch)
      throws Exception {
    boolean shared = script.chunksShareSession();
    for (int i = 0; i < chunks.size(); i++) {
      int index = i;
      BackfillRange chunk = chunks.get(i);
      if (!shared || batch.sessions().isEmpty()) {
        batch.sessions().add(open());
      }
      plan(
          batch.sessions().get(batch.sessions().size() - 1),
          chunk,
          snapshots,
          (s, env, planned) -> {
            planned.forEach(p -> statements.checkColumns(s, p.target(), p.query()));
            if (index == 0) {
              batch.inserts().add(s);
            }
            batch.job().add(batch.files().plan(env, planned, Map.of(index, chunk)));
          },
          shared && index > 0);
    }
  }

  /** What is done with the INSERTs of one statement. */
  private interface InsertRun {
    void run(SqlStatement s, TableEnvironmentInternal env, List<SqlChunkFiles.Insert> inserts);
  }

  private <T> Map<String, List<T>> perTarget() {
    Map<String, List<T>> out = new LinkedHashMap<>();
    targets.keySet().forEach(t -> out.put(t, new ArrayList<>()));
    return out;
  }

  private SqlSession open() {
    Map<String, String> settings = script.placeholdersPerJob() ? BATCH : PER_CHUNK;
    return SqlSession.open(catalog, catalogOptions, settings, cluster());
  }

  private SqlBackfillException failed(Exception e) {
    return new SqlBackfillException(
        "backfill script " + script.file() + " failed: " + ErrorMessages.describe(e));
  }

  private String jobName(List<BackfillRange> chunks) {
    return "backfill "
        + backfillId
        + " "
        + (chunks.size() == 1
            ? chunks.get(0).toString()
            : chunks.size() + " chunks " + chunks.get(0) + " .. " + chunks.get(chunks.size() - 1));
  }

  /**
   * Runs the script's statements for {@code chunk} in {@code session}, INSERTs to {@code output}.
   */
  private void plan(
      SqlSession session, BackfillRange chunk, Map<String, Long> snapshots, InsertRun output)
      throws Exception {
    plan(session, chunk, snapshots, output, false);
  }

  /**
   * As {@link #plan(SqlSession, BackfillRange, Map, InsertRun)}; with {@code insertsOnly} only the
   * INSERTs are planned, in a session where the script's other statements ran for an earlier chunk.
   */
  private void plan(
      SqlSession session,
      BackfillRange chunk,
      Map<String, Long> snapshots,
      InsertRun output,
      boolean insertsOnly)
      throws Exception {
    Set<String> written = new LinkedHashSet<>();
    SqlRunner runner =
        new SqlRunner(
            session, (table, stream) -> {}, new PrintStream(OutputStream.nullOutputStream()));
    TableEnvironmentInternal shadowed = insertsOnly ? session.env() : null;
    for (SqlStatement s : script.statements(chunk, backfillId)) {
      if (script.isBackfillSetting(s)) {
        // a SET builds a new environment: not for settings that Flink does not read
        continue;
      }
      if (session.env() != shadowed) {
        // SET builds a new environment: the views are planned again in it
        shadowed = session.env();
        ScriptStatements.shadowSources(shadowed, snapshots);
      }
      Operation op = statements.parse(session.env(), s);
      List<ModifyOperation> inserts = ScriptStatements.inserts(op);
      if (inserts.isEmpty() && insertsOnly) {
        continue;
      }
      if (inserts.isEmpty()) {
        if (op instanceof QueryOperation) {
          throw script.error(
              s,
              "is a query: a backfill script's output is what its INSERTs write. Remove it or"
                  + " make it an INSERT INTO a target of process "
                  + process);
        }
        try {
          runner.run(s);
        } catch (Exception e) {
          throw script.error(s, "failed: " + ErrorMessages.describe(e));
        }
        continue;
      }
      List<SqlChunkFiles.Insert> planned = new ArrayList<>();
      for (ModifyOperation insert : inserts) {
        String target = statements.target(s, insert);
        written.add(target);
        planned.add(new SqlChunkFiles.Insert(target, ((SinkModifyOperation) insert).getChild()));
      }
      output.run(s, session.env(), planned);
    }
    runner.finish();
    for (String target : targets.keySet()) {
      if (!written.contains(target)) {
        throw new SqlBackfillException(
            String.format(
                "backfill script %s writes no rows to %s, a target of process %s: a backfill"
                    + " replaces the range in every target, so the script needs an INSERT INTO"
                    + " %s.%s SELECT ... for each of them",
                script.file(), target, process, ScriptStatements.LAKE, target));
      }
    }
  }

  private void collect(
      SqlStatement s,
      TableEnvironmentInternal env,
      String target,
      QueryOperation query,
      BackfillRange chunk,
      Map<String, List<Record>> out) {
    statements.checkColumns(s, target, query);
    Schema schema = targets.get(target);
    RowRecords records = new RowRecords(target, schema);
    int time = schema.columns().indexOf(schema.findField(timeColumns.get(target)));
    List<Record> rows = out.get(target);
    try (CloseableIterator<Row> it = env.executeInternal(query).collect()) {
      while (it.hasNext()) {
        Record r = records.toRecord(it.next());
        if (inChunk(r.get(time), chunk)) {
          rows.add(r);
        }
      }
    } catch (IllegalArgumentException e) {
      throw script.error(s, e.getMessage());
    } catch (Exception e) {
      throw script.error(s, "failed: " + ErrorMessages.describe(e));
    }
  }

  private static boolean inChunk(@Nullable Object time, BackfillRange chunk) {
    if (time == null) {
      return false;
    }
    LocalDateTime t =
        time instanceof OffsetDateTime
            ? ((OffsetDateTime) time).toLocalDateTime()
            : (LocalDateTime) time;
    return chunk.contains(t);
  }

  /** Starts the local cluster in the background: the jobs to come find it running. */
  void startCluster() {
    if (cluster == null) {
      cluster().startInBackground();
    }
  }

  private LocalCluster cluster() {
    if (cluster == null) {
      // a job's day chunks are independent pipelines: several per core run side by side, so one
      // chunk's start overlaps the others' work (a core's worth at a time left them waiting)
      cluster = new LocalCluster(new Configuration(), SLOTS_PER_CORE);
    }
    return cluster;
  }

  @Override
  public void close() {
    if (cluster != null) {
      try {
        cluster.close();
      } catch (Exception e) {
        // the chunks' rows are committed or not; nothing to undo
      }
      cluster = null;
    }
  }
}
