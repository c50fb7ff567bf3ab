package io.psyberg.flink.examples.backfill;

import static io.psyberg.flink.examples.backfill.BackfillFixture.chunkCommits;
import static io.psyberg.flink.examples.backfill.BackfillFixture.facts;
import static io.psyberg.flink.examples.backfill.BackfillFixture.ok;
import static java.util.stream.Collectors.toSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.backfill.BackfillBranch;
import io.psyberg.flink.backfill.BackfillStatus;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.testutils.CliRun;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.testutils.Maintenance;
import io.psyberg.flink.testutils.Warehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.util.SnapshotUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backfill start --job sql}: a real Flink SQL script run per chunk on the CLI's local
 * cluster over real Iceberg tables, against the live signups process run through the CLI.
 */
class BackfillSqlITCase {
  private static final String EVENTS = "membership.events";
  private static final String FACTS = "facts.signups";
  private static final BackfillRange RANGE =
      new BackfillRange(
          LocalDateTime.parse("2026-01-01T00:00:00"), LocalDateTime.parse("2026-01-05T00:00:00"));

  /** The signups job in SQL; {@code %s} is where a test puts its poison. */
  private static final String SCRIPT =
      "-- the signups job's logic\n"
          + "SET 'psyberg.backfill.time-column' = 'event_ts';\n"
          + "CREATE TEMPORARY FUNCTION fail_on AS '"
          + FailOn.class.getName()
          + "';\n"
          + "INSERT INTO lake.facts.signups\n"
          + "SELECT fail_on(event_id, '%s'), account_id, plan, event_ts, CAST(event_ts AS DATE)\n"
          + "FROM lake.membership.events\n"
          + "WHERE event_type = 'SIGNUP'\n"
          + "  AND event_ts >= ${backfill.from} AND event_ts < ${backfill.to};\n";

  @TempDir Path dir;
  private Warehouse wh;
  private int seed;

  @BeforeEach
  void open() {
    wh = new Warehouse(dir);
  }

  @AfterEach
  void close() throws Exception {
    wh.close();
  }

  @Test
  void aSqlBackfillEqualsTheRecomputeAndPublishKeepsWhatTheLiveProcessPublishedMeanwhile()
      throws Exception {
    for (int i = 0; i < 3; i++) {
      ok(generate());
      ok(signups("live", FACTS));
    }
    Map<String, Long> hwmBefore = hwm("live");
    // A full recompute by the real signups job at the snapshots the backfill will fix.
    ok(signups("recompute", "facts.recompute"));
    Path script = script("none");
    // The live process publishes a new day in the range between the first two chunks, with new
    // accounts' sign-ups and late events.
    Backfill built =
        backfills()
            .listener(
                (progress, chunk) -> {
                  if (chunk == 0) {
                    ok(generate(60));
                    ok(signups("live", FACTS));
                  }
                })
            .start("live", "sql", script, RANGE, 0);
    assertThat(built.status()).isEqualTo(BackfillStatus.BUILT);
    assertThat(built.chunksTotal()).isEqualTo(4);
    assertThat(built.sourceSnapshots()).isEqualTo(hwmBefore);

    // The branch equals the range of the recompute, not what the live process added meanwhile.
    List<String> branch = facts(BackfillBranch.rows(wh.load(FACTS), built.backfillId(), all()));
    assertThat(branch)
        .isNotEmpty()
        .doesNotHaveDuplicates()
        .isEqualTo(inRange(facts(wh.rows("facts.recompute"))));
    assertThat(inRange(facts(wh.rows(FACTS)))).hasSizeGreaterThan(branch.size());
    assertThat(built.rowsWritten()).isEqualTo(branch.size());
    assertThat(chunkCommits(wh.load(FACTS), built.backfillId())).containsExactly(0, 1, 2, 3);

    assertThat(ok(cli("backfill", "validate", built.backfillId())).out()).contains("VALIDATED");
    Map<String, Long> liveHwm = hwm("live");
    assertThat(ok(cli("backfill", "publish", built.backfillId())).out()).contains("PUBLISHED");

    // Nothing the live process published is lost or doubled: main equals a full recompute.
    ok(signups("full", "facts.full"));
    assertThat(facts(wh.rows(FACTS)))
        .doesNotHaveDuplicates()
        .isEqualTo(facts(wh.rows("facts.full")));
    assertThat(hwm("live")).isEqualTo(liveHwm);
  }

  @Test
  void aScriptThatAggregatesRunsItsChunksSideBySideWithTheirManagedMemory() throws Exception {
    publishThreeGenerations();
    ok(signups("recompute", "facts.recompute"));
    // a hash aggregation and a sort (batch operators on managed memory) in every day chunk, the
    // chunks of the job running side by side on the backfill's slots
    Path script =
        write(
            "grouped.sql",
            "SET 'psyberg.backfill.time-column' = 'event_ts';\n"
                + "INSERT INTO lake.facts.signups\n"
                + "SELECT event_id, MIN(account_id), MIN(plan), MIN(event_ts),"
                + " CAST(MIN(event_ts) AS DATE)\n"
                + "FROM lake.membership.events\n"
                + "WHERE event_type = 'SIGNUP'\n"
                + "  AND event_ts >= ${backfill.from} AND event_ts < ${backfill.to}\n"
                + "GROUP BY event_id ORDER BY event_id;\n");
    Backfill built = backfills().start("live", "sql", script, RANGE, 0);
    assertThat(built.status()).isEqualTo(BackfillStatus.BUILT);
    assertThat(built.chunksTotal()).isEqualTo(4);
    assertThat(facts(BackfillBranch.rows(wh.load(FACTS), built.backfillId(), all())))
        .isNotEmpty()
        .doesNotHaveDuplicates()
        .isEqualTo(inRange(facts(wh.rows("facts.recompute"))));
  }

  @Test
  void aScriptFailingOnAnEventResumesAfterTheFixWithoutDoubles() throws Exception {
    publishThreeGenerations();
    // A SIGNUP event of the range's second day fails the script.
    String poison =
        wh.rows(EVENTS).stream()
            .filter(e -> "SIGNUP".equals(e.getField("event_type")))
            .filter(e -> ((LocalDateTime) e.getField("event_ts")).getDayOfMonth() == 2)
            .map(e -> (String) e.getField("event_id"))
            .findFirst()
            .orElseThrow();
    Path script = script(poison);
    assertThatThrownBy(() -> backfills().start("live", "sql", script, RANGE, 0))
        .isInstanceOf(CommandException.class)
        .hasMessageContaining("failed at chunk 2 of 4")
        .hasMessageContaining(script.toString())
        .hasMessageContaining("poison event " + poison)
        .hasMessageContaining("backfill resume");
    Backfill failed = backfills().log().all().get(0);
    assertThat(failed.status()).isEqualTo(BackfillStatus.FAILED);
    assertThat(failed.chunksDone()).isEqualTo(1);
    assertThat(BackfillBranch.committedChunks(wh.load(FACTS), failed.backfillId()))
        .containsExactly(0);

    // The script is fixed in place; resume runs the script recorded at start, from chunk 2.
    Files.writeString(script, String.format(SCRIPT, "none"));
    CliRun resumed = ok(cli("backfill", "resume", failed.backfillId()));
    assertThat(resumed.out()).contains("backfill " + failed.backfillId() + ": BUILT, 4/4 chunks");
    List<String> branch = facts(BackfillBranch.rows(wh.load(FACTS), failed.backfillId(), all()));
    assertThat(branch).doesNotHaveDuplicates().isEqualTo(inRange(facts(wh.rows(FACTS))));
    assertThat(chunkCommits(wh.load(FACTS), failed.backfillId())).containsExactly(0, 1, 2, 3);
    assertThat(cli("backfill", "resume", failed.backfillId()).err()).contains("is BUILT");
    assertThat(ok(cli("backfill", "abort", failed.backfillId())).out()).contains("ABORTED");
    assertThat(wh.load(FACTS).refs()).doesNotContainKey(BackfillBranch.name(failed.backfillId()));
  }

  @Test
  void theChunksOfOneJobAreCommittedInOneMetadataCommitEachAsItsOwnSnapshotAndResumeAddsNoneTwice()
      throws Exception {
    publishThreeGenerations();
    // Two chunks per job: the 4 days run as two jobs; seen() notes the days a job computed.
    Path script =
        write(
            "batched.sql",
            String.format(SCRIPT, "none")
                .replace("plan, event_ts,", "plan, seen(event_ts),")
                .replace(
                    "CREATE TEMPORARY",
                    before(
                        "SET 'psyberg.backfill.chunks-per-job' = '2';\nCREATE TEMPORARY FUNCTION"
                            + " seen AS '"
                            + SeenDays.class.getName()
                            + "';")));
    // The days of the range with sign-ups, so with rows for seen() to note.
    Set<LocalDate> signupDays =
        inRange(facts(wh.rows(FACTS))).stream().map(BackfillSqlITCase::dayOf).collect(toSet());
    assertThat(signupDays).contains(day(1), day(2), day(3));
    SeenDays.clear();
    Map<Integer, Set<LocalDate>> seenAtCommit = new TreeMap<>();
    BackfillRunner.ChunkListener noting =
        (progress, chunk) -> seenAtCommit.put(chunk, SeenDays.days());
    assertThatThrownBy(
            () ->
                backfills()
                    .listener(
                        (progress, chunk) -> {
                          noting.committed(progress, chunk);
                          throw new IllegalStateException("killed after chunk 1");
                        })
                    .start("live", "sql", script, RANGE, 0))
        .isInstanceOf(CommandException.class)
        .hasMessageContaining("failed at chunk 1 of 4")
        .hasMessageContaining("killed after chunk 1");
    // One job computed days 1 and 2 and both were committed before the kill, and no more.
    assertThat(seenAtCommit).containsOnlyKeys(0);
    assertThat(seenAtCommit.get(0)).containsExactly(day(1), day(2));
    Backfill killed = backfills().log().all().get(0);
    assertThat(killed.status()).isEqualTo(BackfillStatus.FAILED);
    assertThat(killed.chunksDone()).isEqualTo(2);
    Table target = wh.load(FACTS);
    assertThat(chunkCommits(target, killed.backfillId())).containsExactly(0, 1);
    // Each chunk is its own snapshot on the branch, but the two came in one metadata commit: no
    // version of the table's metadata had the branch at chunk 0.
    long chunk0 = chunkSnapshot(target, killed.backfillId(), 0);
    long chunk1 = chunkSnapshot(target, killed.backfillId(), 1);
    assertThat(target.snapshot(chunk1).parentId()).isEqualTo(chunk0);
    assertThat(branchHeads(target, killed.backfillId())).contains(chunk1).doesNotContain(chunk0);

    // Resume computes only days 3 and 4, in one job, and commits each day as its own chunk.
    SeenDays.clear();
    Backfill resumed = backfills().listener(noting).resume(killed.backfillId());
    assertThat(resumed.status()).isEqualTo(BackfillStatus.BUILT);
    List<LocalDate> lastTwo = signupDays.stream().filter(d -> d.isAfter(day(2))).sorted().toList();
    assertThat(lastTwo).contains(day(3));
    assertThat(seenAtCommit.get(2)).containsExactlyElementsOf(lastTwo);
    assertThat(seenAtCommit.get(3)).containsExactlyElementsOf(lastTwo);
    List<String> branch = facts(BackfillBranch.rows(wh.load(FACTS), killed.backfillId(), all()));
    assertThat(branch).doesNotHaveDuplicates().isEqualTo(inRange(facts(wh.rows(FACTS))));
    assertThat(resumed.rowsWritten()).isEqualTo(branch.size());
    assertThat(resumed.chunksDone()).isEqualTo(4);
    assertThat(chunkCommits(wh.load(FACTS), killed.backfillId())).containsExactly(0, 1, 2, 3);
    assertEachChunkHoldsItsDay(killed.backfillId(), branch);

    // A bad number of chunks per job is refused before anything is recorded.
    Path bad =
        write(
            "bad.sql",
            String.format(SCRIPT, "none")
                .replace(
                    "CREATE TEMPORARY", before("SET 'psyberg.backfill.chunks-per-job' = 'all';")));
    assertThat(start(bad.toString(), "--all").err())
        .contains(bad.toString(), "'psyberg.backfill.chunks-per-job' to 'all'", "at least 1");
    assertThat(backfills().log().all()).hasSize(1);
  }

  @Test
  void parallelTasksWriteTheChunksFilesAndOnlyTheChunksRowsAreKept() throws Exception {
    publishThreeGenerations();
    // Two tasks per operator and no range in the script, planned once for all chunks: the job
    // reads all events once, and only the filters in the job keep each day's rows to its chunk.
    Path script =
        write(
            "parallel.sql",
            String.format(SCRIPT, "none")
                .replace("  AND event_ts >= ${backfill.from} AND event_ts < ${backfill.to}", "")
                .replace(
                    "CREATE TEMPORARY",
                    before(
                        "SET 'parallelism.default' = '2';\n"
                            + "SET 'psyberg.backfill.placeholders' = 'job';")));
    Backfill built = backfills().start("live", "sql", script, RANGE, 0);
    List<String> branch = facts(BackfillBranch.rows(wh.load(FACTS), built.backfillId(), all()));
    assertThat(branch)
        .isNotEmpty()
        .doesNotHaveDuplicates()
        .isEqualTo(inRange(facts(wh.rows(FACTS))));
    assertThat(built.rowsWritten()).isEqualTo(branch.size());
    assertThat(chunkCommits(wh.load(FACTS), built.backfillId())).containsExactly(0, 1, 2, 3);
    // One operator splits the rows by day: each chunk's commit holds its day's rows.
    assertEachChunkHoldsItsDay(built.backfillId(), branch);

    // A NULL in a required column fails the chunk naming the column; nothing of it is committed.
    Path nulls =
        write(
            "nulls.sql",
            String.format(SCRIPT, "none")
                .replace("fail_on(event_id, 'none')", "NULLIF(event_id, event_id)"));
    assertThatThrownBy(() -> backfills().start("live", "sql", nulls, RANGE, 0))
        .isInstanceOf(CommandException.class)
        .hasMessageContaining("failed at chunk 1 of 4")
        .hasMessageContaining(nulls.toString())
        .hasMessageContaining("Column 'event_id' is NOT NULL");
    Backfill failed =
        backfills().log().all().stream()
            .filter(b -> b.status() == BackfillStatus.FAILED)
            .findFirst()
            .orElseThrow();
    assertThat(BackfillBranch.committedChunks(wh.load(FACTS), failed.backfillId())).isEmpty();
  }

  @Test
  void eachChunkOfAJobGetsItsOwnRowsWhenTheScriptAggregatesOverTheChunksRange() throws Exception {
    publishThreeGenerations();
    // Each fact's plan becomes the number of sign-ups in the range the placeholders give: planned
    // per chunk, a day's facts carry that day's count, although the 4 days run as one job.
    String counting =
        String.format(SCRIPT, "none")
            .replace("plan, event_ts,", "CAST(COUNT(*) OVER () AS STRING), event_ts,");
    List<String> live = inRange(facts(wh.rows(FACTS)));
    Map<LocalDate, Long> perDay =
        live.stream()
            .collect(Collectors.groupingBy(BackfillSqlITCase::dayOf, Collectors.counting()));
    assertThat(perDay).hasSizeGreaterThan(1);

    Backfill built = backfills().start("live", "sql", write("counting.sql", counting), RANGE, 0);
    List<String> branch = facts(BackfillBranch.rows(wh.load(FACTS), built.backfillId(), all()));
    assertThat(eventIds(branch)).isEqualTo(eventIds(live));
    assertThat(branch)
        .allSatisfy(
            f -> assertThat(planOf(f)).as(f).isEqualTo(Long.toString(perDay.get(dayOf(f)))));
    assertThat(chunkCommits(wh.load(FACTS), built.backfillId())).containsExactly(0, 1, 2, 3);
    ok(cli("backfill", "abort", built.backfillId()));

    // The same script with the placeholders per job counts the job's days together: what the
    // default mode must not do.
    Path perJob =
        write("counting-per-job.sql", "SET 'psyberg.backfill.placeholders' = 'job';\n" + counting);
    Backfill once = backfills().start("live", "sql", perJob, RANGE, 0);
    List<String> joined = facts(BackfillBranch.rows(wh.load(FACTS), once.backfillId(), all()));
    assertThat(eventIds(joined)).isEqualTo(eventIds(live));
    assertThat(joined)
        .allSatisfy(f -> assertThat(planOf(f)).isEqualTo(Integer.toString(live.size())));
  }

  @Test
  void theCliRunsASqlBackfillAndRejectsScriptsThatDoNotFitTheProcess() throws Exception {
    ok(generate());
    ok(signups("live", FACTS));
    ok(signups("other", "facts.other"));
    CliRun started =
        ok(
            start(
                script("none").toString(),
                "--from-time",
                "2026-01-01",
                "--to-time",
                "2026-01-02",
                "--format",
                "json"));
    String id = started.out().substring(16, 24);
    assertThat(ok(cli("backfill", "status", id)).out()).contains(id, "| sql", "| BUILT", "1/1");

    Path other = write("other.sql", String.format(SCRIPT, "none").replace(FACTS, "facts.other"));
    assertThat(start(other.toString(), "--all").err())
        .contains(other.toString(), "line 4", "writes lake.facts.other")
        .contains("not a target of process live", "facts.signups");
    Path noInsert = write("none.sql", "SET 'psyberg.backfill.time-column' = 'event_ts';");
    assertThat(start(noInsert.toString(), "--all").err())
        .contains(noInsert.toString(), "has no INSERT");
    Path noTime = write("notime.sql", String.format(SCRIPT, "none").replaceAll("SET [^\n]*", ""));
    assertThat(start(noTime.toString(), "--all").err())
        .contains(noTime.toString(), "psyberg.backfill.time-column", "facts.signups");
    Path unknown = write("unknown.sql", String.format(SCRIPT, "none").replace("to}", "end}"));
    assertThat(start(unknown.toString(), "--all").err())
        .contains(unknown.toString(), "unknown placeholder ${backfill.end}");
    assertThat(start(dir.resolve("missing.sql").toString(), "--all").err())
        .contains("missing.sql does not exist");
    assertThat(start(script("none").toString(), "--all", "--max-snapshots-per-session", "2").err())
        .contains("--max-snapshots-per-session does not apply to --job sql");
    assertThat(cli("backfill", "start", "--process", "live", "--job", "sql", "--all").err())
        .contains("--job sql needs the script", "--file F");
    // Nothing was recorded for the rejected scripts.
    assertThat(backfills().log().all()).hasSize(1);
  }

  // ---- helpers

  /** Three generations of events, published by the live process. */
  private void publishThreeGenerations() {
    for (int i = 0; i < 3; i++) {
      ok(generate());
    }
    ok(signups("live", FACTS));
  }

  /** Replaces the script's first CREATE TEMPORARY: {@code statements} go before it. */
  private static String before(String statements) {
    return statements + "\nCREATE TEMPORARY";
  }

  private Backfills backfills() {
    return new Backfills(wh.catalog(), "psyberg")
        .sqlCatalog(wh.spec(), Map.of("warehouse", wh.dir()));
  }

  private Path script(String poison) throws IOException {
    return write("backfill.sql", String.format(SCRIPT, poison));
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private CliRun start(String file, String... range) {
    List<String> args =
        new ArrayList<>(
            List.of("backfill", "start", "--process", "live", "--job", "sql", "--file", file));
    args.addAll(List.of(range));
    return cli(args.toArray(new String[0]));
  }

  private Map<String, Long> hwm(String process) {
    return PublishedHighWatermark.find(wh.load(FACTS), process).orElseThrow().positions();
  }

  private CliRun generate() {
    return generate(30);
  }

  private CliRun generate(int accounts) {
    return cli(
        "generate",
        "--table",
        EVENTS,
        "--accounts",
        Integer.toString(accounts),
        "--events",
        "150",
        "--late-fraction",
        "0.4",
        "--seed",
        Integer.toString(++seed));
  }

  private CliRun signups(String process, String target) {
    return cli("signups", "--process", process, "--source", EVENTS, "--target", target);
  }

  private CliRun cli(String... args) {
    return BackfillFixture.cli(wh, args);
  }

  private static org.apache.iceberg.expressions.Expression all() {
    return Expressions.alwaysTrue();
  }

  /** The days of the event times of the rows chunk {@code chunk}'s commit added to the branch. */
  private List<LocalDate> chunkDays(String id, int chunk) {
    Table target = wh.load(FACTS);
    for (Snapshot s :
        SnapshotUtil.ancestorsOf(
            target.refs().get(BackfillBranch.name(id)).snapshotId(), target::snapshot)) {
      if (Integer.toString(chunk).equals(s.summary().get(BackfillBranch.CHUNK))) {
        List<LocalDate> days = new ArrayList<>();
        for (DataFile file : s.addedDataFiles(target.io())) {
          Maintenance.read(target, file)
              .forEach(r -> days.add(((LocalDateTime) r.getField("event_ts")).toLocalDate()));
        }
        return days;
      }
    }
    throw new AssertionError("no commit of chunk " + chunk + " on the branch of backfill " + id);
  }

  /** Each chunk's commit on the branch holds the rows of its own day in {@code branch}, all. */
  private void assertEachChunkHoldsItsDay(String id, List<String> branch) {
    for (int chunk = 0; chunk < 4; chunk++) {
      LocalDate day = day(chunk + 1);
      assertThat(chunkDays(id, chunk))
          .as("days of chunk %d's rows", chunk)
          .hasSize((int) branch.stream().filter(f -> dayOf(f).equals(day)).count())
          .allMatch(day::equals);
    }
  }

  /** The snapshot of chunk {@code chunk}'s commit on the backfill's branch. */
  private static long chunkSnapshot(Table target, String id, int chunk) {
    for (Snapshot s :
        SnapshotUtil.ancestorsOf(
            target.refs().get(BackfillBranch.name(id)).snapshotId(), target::snapshot)) {
      if (Integer.toString(chunk).equals(s.summary().get(BackfillBranch.CHUNK))) {
        return s.snapshotId();
      }
    }
    throw new AssertionError("no commit of chunk " + chunk + " on the branch of backfill " + id);
  }

  /** Where the backfill's branch was in each version of the table's metadata, current included. */
  private static Set<Long> branchHeads(Table target, String id) {
    TableOperations ops = ((HasTableOperations) target).operations();
    List<String> files = new ArrayList<>();
    ops.current().previousFiles().forEach(f -> files.add(f.file()));
    files.add(ops.current().metadataFileLocation());
    Set<Long> heads = new HashSet<>();
    for (String file : files) {
      SnapshotRef ref = TableMetadataParser.read(target.io(), file).ref(BackfillBranch.name(id));
      if (ref != null) {
        heads.add(ref.snapshotId());
      }
    }
    return heads;
  }

  private static List<String> eventIds(List<String> facts) {
    return facts.stream().map(f -> f.split("\\|")[0]).sorted().toList();
  }

  private static String planOf(String fact) {
    return fact.split("\\|")[2];
  }

  private static LocalDate dayOf(String fact) {
    return LocalDateTime.parse(fact.split("\\|")[3]).toLocalDate();
  }

  private static LocalDate day(int dayOfMonth) {
    return RANGE.from().toLocalDate().withDayOfMonth(dayOfMonth);
  }

  private static List<String> inRange(List<String> facts) {
    return facts.stream()
        .filter(f -> RANGE.contains(LocalDateTime.parse(f.split("\\|")[3])))
        .collect(Collectors.toList());
  }
}
