package io.psyberg.flink.examples.backfill;

import static io.psyberg.flink.examples.backfill.BackfillFixture.chunkCommits;
import static io.psyberg.flink.examples.backfill.BackfillFixture.facts;
import static io.psyberg.flink.examples.backfill.BackfillFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.backfill.BackfillBranch;
import io.psyberg.flink.backfill.BackfillStatus;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.testutils.CliRun;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import io.psyberg.flink.stateful.lifecycle.LifecycleRecompute;
import io.psyberg.flink.stateful.lifecycle.LifecycleResult;
import io.psyberg.flink.stateful.lifecycle.TimestampMicros;
import io.psyberg.flink.testutils.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The managed backfill cycle on real tables: live processes run through the CLI on a MiniCluster,
 * backfills through {@link Backfills} (with hooks between chunks) and the CLI.
 */
class BackfillITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final String EVENTS = "membership.events";
  private static final String FACTS = "facts.signups";
  private static final String LIFECYCLE = "facts.lifecycle";
  private static final String ANOMALIES = "facts.anomalies";
  private static final LocalDateTime FROM = LocalDateTime.parse("2026-01-02T00:00:00");
  private static final LocalDateTime TO = LocalDateTime.parse("2026-01-03T00:00:00");
  private static final BackfillRange RANGE = new BackfillRange(FROM, TO);

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
  void signupsBackfillEqualsTheRecomputeAndKeepsWhatTheLiveProcessPublishedMeanwhile()
      throws Exception {
    landAndRun(3, () -> signups("live", FACTS));
    Map<String, Long> hwmBefore = hwm(FACTS, "live");
    // The live process publishes between the backfill's first and second chunk, with late
    // events in the range.
    Backfill built =
        backfills()
            .listener(
                (progress, chunk) -> {
                  if (chunk == 0) {
                    ok(generate());
                    ok(signups("live", FACTS));
                  }
                })
            .start("live", "signups", RANGE, 1);
    assertThat(built.status()).isEqualTo(BackfillStatus.BUILT);
    assertThat(built.chunksTotal()).isGreaterThan(1);
    assertThat(built.sourceSnapshots()).isEqualTo(hwmBefore);
    long fixed = built.sourceSnapshots().get(EVENTS);

    List<String> branch =
        facts(BackfillBranch.rows(wh.load(FACTS), built.backfillId(), alwaysTrue()));
    assertThat(branch).isNotEmpty().isEqualTo(expectedFacts(fixed)).doesNotHaveDuplicates();
    assertThat(built.rowsWritten()).isEqualTo(branch.size());

    assertThat(backfills().validate(built.backfillId()).passed()).isTrue();
    Map<String, Long> liveHwm = hwm(FACTS, "live");
    Backfill published = backfills().publish(built.backfillId());
    assertThat(published.status()).isEqualTo(BackfillStatus.PUBLISHED);
    assertThat(wh.load(FACTS).refs()).doesNotContainKey(BackfillBranch.name(built.backfillId()));

    // Nothing the live process published is lost or doubled: main equals a full recompute by the
    // real job, and the process's high watermark did not move.
    ok(signups("full", "facts.full"));
    assertThat(facts(wh.rows(FACTS)))
        .doesNotHaveDuplicates()
        .isEqualTo(facts(wh.rows("facts.full")));
    assertThat(hwm(FACTS, "live")).isEqualTo(liveHwm);

    // The live process goes on after the publish as before.
    ok(generate());
    ok(signups("live", FACTS));
    ok(signups("full", "facts.full"));
    assertThat(facts(wh.rows(FACTS)))
        .doesNotHaveDuplicates()
        .isEqualTo(facts(wh.rows("facts.full")));
  }

  @Test
  void aKilledBackfillResumesAfterItsLastCommittedChunkWithoutDoubles() throws Exception {
    for (int i = 0; i < 4; i++) {
      ok(generate());
    }
    ok(signups("live", FACTS));
    assertThatThrownBy(
            () ->
                backfills()
                    .listener(
                        (progress, chunk) -> {
                          if (chunk == 1) {
                            throw new IllegalStateException("killed after chunk 2");
                          }
                        })
                    .start("live", "signups", BackfillRange.ALL, 1))
        .isInstanceOf(CommandException.class)
        .hasMessageContaining("failed at chunk 2 of 4")
        .hasMessageContaining("killed after chunk 2")
        .hasMessageContaining("backfill resume");
    Backfill failed = backfills().log().all().get(0);
    assertThat(failed.status()).isEqualTo(BackfillStatus.FAILED);
    assertThat(failed.chunksDone()).isEqualTo(2);
    Table target = wh.load(FACTS);
    assertThat(BackfillBranch.committedChunks(target, failed.backfillId())).containsExactly(0, 1);

    CliRun resumed = ok(cli("backfill", "resume", failed.backfillId()));
    assertThat(resumed.out()).contains("backfill " + failed.backfillId() + ": BUILT, 4/4 chunks");
    List<String> branch =
        facts(BackfillBranch.rows(wh.load(FACTS), failed.backfillId(), alwaysTrue()));
    assertThat(branch).doesNotHaveDuplicates().isEqualTo(facts(wh.rows(FACTS)));
    assertThat(chunkCommits(wh.load(FACTS), failed.backfillId())).containsExactly(0, 1, 2, 3);
    // Resuming a built backfill adds nothing.
    assertThat(cli("backfill", "resume", failed.backfillId()).err()).contains("is BUILT");
  }

  @Test
  void validateReportsAFixedMappingAsExactlyTheChangedKeysAndAbortLeavesMainUntouched()
      throws Exception {
    landAndRun(3, () -> signups("live", FACTS));
    // The fix: accounts divisible by 7 were given the wrong plan by the live job's logic.
    Predicate<Record> fixed = fact -> (Long) fact.getField("account_id") % 7 == 0;
    Backfills fixedLogic =
        backfills()
            .jobs(
                (catalog, b) ->
                    new SignupsBackfill(
                        catalog,
                        b.sourceSnapshots(),
                        FACTS,
                        RANGE,
                        b.maxSnapshotsPerSession(),
                        event -> {
                          Record fact = SignupsBackfill.FACTS.apply(event);
                          if (fact != null && fixed.test(fact)) {
                            fact.setField("plan", "fixed-" + fact.getField("plan"));
                          }
                          return fact;
                        }));
    Backfill built = fixedLogic.start("live", "signups", RANGE, 2);
    long planted =
        wh.rows(FACTS).stream()
            .filter(r -> RANGE.contains((LocalDateTime) r.getField("event_ts")))
            .filter(fixed)
            .count();
    assertThat(planted).isPositive();

    BackfillValidation.Result result = fixedLogic.validate(built.backfillId());
    TargetComparison facts = result.targets().get(0);
    assertThat(facts.changed()).isEqualTo(planted);
    assertThat(facts.added()).isZero();
    assertThat(facts.removed()).isZero();
    assertThat(facts.mainRows()).isEqualTo(facts.backfillRows());
    assertThat(facts.sample())
        .isNotEmpty()
        .allMatch(s -> s.startsWith("changed ") && s.contains("fixed-"));
    assertThat(result.backfill().status()).isEqualTo(BackfillStatus.VALIDATED);
    Backfill recorded = backfills().get(built.backfillId());
    assertThat(recorded.validationReport()).contains("\"keys_changed\":" + planted);
    assertThat(recorded.validation()).contains("~" + planted);

    CliRun listed = ok(cli("backfill", "status"));
    assertThat(listed.out()).contains(built.backfillId(), "| VALIDATED", "| signups", "1 backfill");

    Table before = wh.load(FACTS);
    long mainBefore = before.currentSnapshot().snapshotId();
    List<String> rowsBefore = facts(wh.rows(FACTS));
    CliRun aborted = ok(cli("backfill", "abort", built.backfillId()));
    assertThat(aborted.out()).contains("ABORTED");
    Table after = wh.load(FACTS);
    assertThat(after.currentSnapshot().snapshotId()).isEqualTo(mainBefore);
    assertThat(after.refs()).doesNotContainKey(BackfillBranch.name(built.backfillId()));
    assertThat(facts(wh.rows(FACTS))).isEqualTo(rowsBefore);
    assertThat(cli("backfill", "publish", built.backfillId()).err()).contains("is ABORTED");
  }

  @Test
  void lifecycleBackfillEqualsTheFullRecomputeInTheRangeAndPublishKeepsLiveCorrections()
      throws Exception {
    landAndRun(3, this::lifecycle);
    Backfill built =
        backfills()
            .listener(
                (progress, chunk) -> {
                  if (chunk == 0) {
                    ok(generate());
                    ok(lifecycle());
                  }
                })
            .start("life", "lifecycle", RANGE, 1);
    assertThat(built.chunksTotal()).isEqualTo(3);
    assertThat(built.targetTables()).containsExactly(LIFECYCLE, ANOMALIES);
    long fixed = built.sourceSnapshots().get(EVENTS);
    LifecycleResult recompute = LifecycleRecompute.recompute(events(fixed));
    assertThat(values(BackfillBranch.rows(wh.load(LIFECYCLE), built.backfillId(), alwaysTrue())))
        .isNotEmpty()
        .isEqualTo(segments(recompute, true));
    assertThat(values(BackfillBranch.rows(wh.load(ANOMALIES), built.backfillId(), alwaysTrue())))
        .isEqualTo(anomalies(recompute, true));

    assertThat(backfills().validate(built.backfillId()).passed()).isTrue();
    backfills().publish(built.backfillId());

    // Main (range from the backfill, the rest from the live process) equals a full recompute.
    LifecycleResult now =
        LifecycleRecompute.recompute(events(wh.load(EVENTS).currentSnapshot().snapshotId()));
    assertThat(values(wh.rows(LIFECYCLE))).isEqualTo(segments(now, false));
    assertThat(values(wh.rows(ANOMALIES))).isEqualTo(anomalies(now, false));
  }

  @Test
  void withoutASnapshotCountChunksAreBoundedByRowsAndStillEqualTheRecompute() throws Exception {
    landAndRun(3, this::lifecycle); // 3 landings of 150 events
    Backfill life =
        backfills()
            .jobs(
                (catalog, b) ->
                    new LifecycleBackfill(
                        catalog, b.sourceSnapshots(), LIFECYCLE, ANOMALIES, RANGE, 0, 100))
            .start("life", "lifecycle", RANGE, 0);
    assertThat(life.chunksTotal()).isEqualTo(5); // 450 events, at most 100 per account bucket
    LifecycleResult recompute =
        LifecycleRecompute.recompute(events(life.sourceSnapshots().get(EVENTS)));
    assertThat(values(BackfillBranch.rows(wh.load(LIFECYCLE), life.backfillId(), alwaysTrue())))
        .isNotEmpty()
        .isEqualTo(segments(recompute, true));
    assertThat(values(BackfillBranch.rows(wh.load(ANOMALIES), life.backfillId(), alwaysTrue())))
        .isEqualTo(anomalies(recompute, true));

    ok(signups("live", FACTS));
    Backfill facts =
        backfills()
            .jobs(
                (catalog, b) ->
                    new SignupsBackfill(
                        catalog, b.sourceSnapshots(), FACTS, RANGE, 0, 1, SignupsBackfill.FACTS))
            .start("live", "signups", RANGE, 0);
    // a bound below one landing's rows: each landing is a chunk, as with one snapshot per chunk
    assertThat(facts.chunksTotal())
        .isGreaterThan(1)
        .isEqualTo(backfills().start("live", "signups", RANGE, 1).chunksTotal());
    assertThat(facts(BackfillBranch.rows(wh.load(FACTS), facts.backfillId(), alwaysTrue())))
        .isNotEmpty()
        .isEqualTo(expectedFacts(facts.sourceSnapshots().get(EVENTS)))
        .doesNotHaveDuplicates();
  }

  @Test
  void aBuildThatFindsAnotherBuildAheadStopsSayingSoAndLeavesItsRecord() throws Exception {
    landAndRun(3, () -> signups("live", FACTS));
    String[] id = new String[1];
    boolean[] resumed = new boolean[1];
    // after the first chunk, a second build of the same backfill (a resume started meanwhile)
    // builds every remaining chunk; the first build then finds the branch moved
    assertThatThrownBy(
            () ->
                backfills()
                    .onRecorded(b -> id[0] = b.backfillId())
                    .listener(
                        (progress, chunk) -> {
                          if (!resumed[0]) {
                            resumed[0] = true;
                            assertThat(backfills().resume(id[0]).status())
                                .isEqualTo(BackfillStatus.BUILT);
                          }
                        })
                    .start("live", "signups", BackfillRange.ALL, 1))
        .isInstanceOf(CommandException.class)
        .hasMessageContaining("another build of it wrote its branches")
        .hasMessageContaining("backfill status " + id[0]);
    Backfill after = backfills().get(id[0]);
    assertThat(after.status()).isEqualTo(BackfillStatus.BUILT); // the winner's record stays
    assertThat(after.chunksTotal()).isEqualTo(3);
    assertThat(chunkCommits(wh.load(FACTS), id[0])).containsExactly(0, 1, 2);
    assertThat(facts(BackfillBranch.rows(wh.load(FACTS), id[0], alwaysTrue())))
        .isEqualTo(facts(wh.rows(FACTS)))
        .doesNotHaveDuplicates();
  }

  @Test
  void aFailureBetweenTheTargetsCommitsOfAChunkResumesWithoutDoublesOnEither() throws Exception {
    landAndRun(3, this::lifecycle);
    long[] anomaliesAfterChunk0 = new long[1];
    assertThatThrownBy(
            () ->
                backfills()
                    .listener(
                        (progress, chunk) -> {
                          if (chunk == 0) {
                            // Someone moves the anomalies target's branch: the next chunk
                            // commits on the lifecycle target, then is refused on this one.
                            Table anomalies = wh.load(ANOMALIES);
                            String branch = BackfillBranch.name(progress.backfillId());
                            anomaliesAfterChunk0[0] = anomalies.refs().get(branch).snapshotId();
                            anomalies
                                .manageSnapshots()
                                .replaceBranch(branch, anomalies.currentSnapshot().snapshotId())
                                .commit();
                          }
                        })
                    .start("life", "lifecycle", RANGE, 1))
        .isInstanceOf(CommandException.class)
        .hasMessageContaining("failed at chunk 2 of 3")
        .hasMessageContaining("backfill resume");
    Backfill failed = backfills().log().all().get(0);
    String id = failed.backfillId();
    assertThat(failed.status()).isEqualTo(BackfillStatus.FAILED);
    assertThat(BackfillBranch.committedChunks(wh.load(LIFECYCLE), id)).containsExactly(0, 1);

    // The branch put back where the backfill left it, resume commits chunk 1 on the anomalies
    // target only, and chunk 2 on both.
    Table anomalies = wh.load(ANOMALIES);
    anomalies
        .manageSnapshots()
        .replaceBranch(BackfillBranch.name(id), anomaliesAfterChunk0[0])
        .commit();
    assertThat(BackfillBranch.committedChunks(wh.load(ANOMALIES), id)).containsExactly(0);
    Backfill resumed = backfills().resume(id);
    assertThat(resumed.status()).isEqualTo(BackfillStatus.BUILT);
    assertThat(chunkCommits(wh.load(LIFECYCLE), id)).containsExactly(0, 1, 2);
    assertThat(chunkCommits(wh.load(ANOMALIES), id)).containsExactly(0, 1, 2);
    LifecycleResult recompute =
        LifecycleRecompute.recompute(events(failed.sourceSnapshots().get(EVENTS)));
    assertThat(values(BackfillBranch.rows(wh.load(LIFECYCLE), id, alwaysTrue())))
        .isNotEmpty()
        .isEqualTo(segments(recompute, true));
    assertThat(values(BackfillBranch.rows(wh.load(ANOMALIES), id, alwaysTrue())))
        .isEqualTo(anomalies(recompute, true));
  }

  @Test
  void cliStartPrintsTheIdAsJsonAndRejectsBadInput() {
    ok(generate());
    ok(signups("live", FACTS));
    CliRun started =
        ok(
            cli(
                "backfill",
                "start",
                "--process",
                "live",
                "--job",
                "signups",
                "--all",
                "--format",
                "json"));
    assertThat(started.out()).matches("\\{\"backfill_id\":\"[0-9a-f]{8}\"}\n");
    String id = started.out().substring(16, 24);
    // the id is on stderr as soon as the backfill is recorded, for a resume after a kill
    assertThat(started.err())
        .contains("backfill " + id + " started: 1 chunk(s)", "backfill resume " + id);
    assertThat(ok(cli("backfill", "status", id)).out()).contains(id, "| BUILT", "1/1");
    assertThat(ok(cli("backfill", "validate", id)).out())
        .contains("| " + FACTS, "VALIDATED", "validation_report");
    assertThat(ok(cli("backfill", "publish", id)).out())
        .contains("PUBLISHED (published to main; branches dropped)");
    assertThat(ok(cli("backfill", "publish", id)).out())
        .contains("PUBLISHED (published before; nothing to do)");

    assertThat(cli("backfill", "start", "--process", "live", "--job", "sql", "--all").err())
        .contains("--job sql needs the script", "--file F");
    assertThat(cli("backfill", "start", "--process", "nobody", "--job", "signups", "--all").err())
        .contains("process nobody has published nothing yet");
    assertThat(cli("backfill", "start", "--process", "live", "--job", "signups").err())
        .contains("--from-time T1 --to-time T2");
    assertThat(cli("backfill", "resume").err()).contains("missing required parameter ID");
    assertThat(cli("backfill", "frobnicate").err()).contains("unknown subcommand 'frobnicate'");
    assertThat(cli("backfill", "status", "nope").err()).contains("No backfill 'nope'");
  }

  // ---- helpers

  private Backfills backfills() {
    return new Backfills(wh.catalog(), "psyberg");
  }

  private static org.apache.iceberg.expressions.Expression alwaysTrue() {
    return org.apache.iceberg.expressions.Expressions.alwaysTrue();
  }

  private Map<String, Long> hwm(String target, String process) {
    return PublishedHighWatermark.find(wh.load(target), process).orElseThrow().positions();
  }

  /** Lands {@code batches} batches of events, running the live process after each. */
  private void landAndRun(int batches, Supplier<CliRun> live) {
    for (int i = 0; i < batches; i++) {
      ok(generate());
      ok(live.get());
    }
  }

  private CliRun generate() {
    return cli(
        "generate",
        "--table",
        EVENTS,
        "--accounts",
        "30",
        "--events",
        "150",
        "--late-fraction",
        "0.4",
        "--bad-fraction",
        "0.1",
        "--seed",
        Integer.toString(++seed));
  }

  private CliRun signups(String process, String target) {
    return cli("signups", "--process", process, "--source", EVENTS, "--target", target);
  }

  private CliRun lifecycle() {
    return cli(
        "lifecycle",
        "--process",
        "life",
        "--source",
        EVENTS,
        "--target",
        LIFECYCLE,
        "--anomalies",
        ANOMALIES);
  }

  private CliRun cli(String... args) {
    return BackfillFixture.cli(wh, args);
  }

  /** The facts the signups job makes of the range's SIGNUP events at {@code snapshot}. */
  private List<String> expectedFacts(long snapshot) {
    List<String> out = new ArrayList<>();
    for (Record e : read(wh.load(EVENTS), snapshot)) {
      LocalDateTime ts = (LocalDateTime) e.getField("event_ts");
      if ("SIGNUP".equals(e.getField("event_type")) && RANGE.contains(ts)) {
        out.add(
            e.getField("event_id")
                + "|"
                + e.getField("account_id")
                + "|"
                + e.getField("plan")
                + "|"
                + ts
                + "|"
                + ts.toLocalDate());
      }
    }
    return sorted(out);
  }

  private List<LifecycleEvent> events(long snapshot) {
    List<LifecycleEvent> out = new ArrayList<>();
    for (Record e : read(wh.load(EVENTS), snapshot)) {
      out.add(
          LifecycleEvent.of(
              (String) e.getField("event_id"),
              (Long) e.getField("account_id"),
              (String) e.getField("event_type"),
              (String) e.getField("plan"),
              (LocalDateTime) e.getField("event_ts")));
    }
    return out;
  }

  private static List<String> segments(LifecycleResult result, boolean inRange) {
    return strings(
        result.segments(),
        s -> !inRange || RANGE.contains(time(s.validFromMicros())),
        s ->
            List.of(
                s.accountId(),
                s.segmentNo(),
                s.state().name(),
                String.valueOf(s.plan()),
                time(s.validFromMicros()),
                s.validToMicros() == null ? "null" : time(s.validToMicros()),
                s.openedByEventId()));
  }

  private static List<String> anomalies(LifecycleResult result, boolean inRange) {
    return strings(
        result.anomalies(),
        a -> !inRange || RANGE.contains(time(a.eventTimeMicros())),
        a ->
            List.of(
                a.eventId(),
                a.accountId(),
                a.eventType(),
                time(a.eventTimeMicros()),
                a.reason().name()));
  }

  private static <T> List<String> strings(
      List<T> items, Predicate<T> keep, Function<T, List<Object>> values) {
    return sorted(
        items.stream()
            .filter(keep)
            .map(i -> values.apply(i).toString())
            .collect(Collectors.toList()));
  }

  private static LocalDateTime time(long micros) {
    return TimestampMicros.toLocalDateTime(micros);
  }

  /** Rows as the lists the recompute helpers print: every column's value, NULL as "null". */
  private static List<String> values(List<Record> rows) {
    List<String> out = new ArrayList<>();
    for (Record r : rows) {
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < r.size(); i++) {
        Object v = r.get(i, Object.class);
        values.add(v == null ? "null" : v);
      }
      out.add(values.toString());
    }
    return sorted(out);
  }

  private static List<Record> read(Table table, long snapshot) {
    List<Record> out = new ArrayList<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(table).useSnapshot(snapshot).build()) {
      rows.forEach(r -> out.add(((GenericRecord) r).copy()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static List<String> sorted(List<String> values) {
    List<String> out = new ArrayList<>(values);
    out.sort(null);
    return out;
  }
}
