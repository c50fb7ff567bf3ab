package io.psyberg.flink.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads of a metadata table answered again for the same snapshot, never for a newer one. */
class MetadataReadCacheTest {
  private static final String NS = "psyberg";

  @TempDir Path dir;
  private Warehouse wh;
  private SessionLog log;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    log = new SessionLog(wh.catalog(), NS);
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  private static Session planned(String id) {
    return Session.builder()
        .sessionId(id)
        .processName("p")
        .mode("bounded")
        .jobId("j-" + id)
        .targetTable("facts.t")
        .status(SessionStatus.PLANNED)
        .startedAt(Instant.parse("2026-01-01T00:00:00Z"))
        .build();
  }

  private Table sessions() {
    return wh.catalog().loadTable(TableIdentifier.of(NS, MetadataTableSchemas.SESSIONS));
  }

  /** A read that counts how often it really reads. */
  private static Supplier<List<Record>> counted(
      Table t, Expression filter, long snapshot, AtomicInteger reads) {
    return () -> {
      reads.incrementAndGet();
      return MetadataRows.read(t, filter, snapshot, task -> true);
    };
  }

  @Test
  void answersTheSameReadOfTheSameSnapshotOnceAndANewSnapshotAfresh() {
    log.record(planned("s-1"));
    MetadataReadCache cache = new MetadataReadCache();
    Expression s1 = Expressions.equal("session_id", "s-1");
    Table t = sessions();
    long first = t.currentSnapshot().snapshotId();
    AtomicInteger reads = new AtomicInteger();

    List<Record> a = cache.rows(t, s1, first, counted(t, s1, first, reads));
    List<Record> b = cache.rows(t, s1, first, counted(t, s1, first, reads));
    assertThat(reads).hasValue(1);
    assertThat(b).hasSize(1).isEqualTo(a);
    assertThat(b.get(0).getField("status")).isEqualTo("PLANNED");

    // Another filter is another read.
    Expression s2 = Expressions.equal("session_id", "s-2");
    assertThat(cache.rows(t, s2, first, counted(t, s2, first, reads))).isEmpty();
    assertThat(reads).hasValue(2);

    // A commit makes a new snapshot: its read is done, and sees the commit.
    Session s = planned("s-1");
    log.record(s.finished(SessionStatus.PUBLISHED, "facts.t", 7L, null));
    Table now = sessions();
    long second = now.currentSnapshot().snapshotId();
    assertThat(second).isNotEqualTo(first);
    List<Record> c = cache.rows(now, s1, second, counted(now, s1, second, reads));
    assertThat(reads).hasValue(3);
    assertThat(c.get(0).getField("status")).isEqualTo("PUBLISHED");
  }

  @Test
  void filtersThatPrintAlikeAreDifferentReads() {
    log.record(planned("a\", \"b"));
    MetadataReadCache cache = new MetadataReadCache();
    Table t = sessions();
    long at = t.currentSnapshot().snapshotId();
    AtomicInteger reads = new AtomicInteger();
    // One value with a quote and a comma in it, and two values: the same text in toString().
    Expression one = Expressions.in("session_id", "a\", \"b");
    Expression two = Expressions.in("session_id", "a", "b");
    assertThat(cache.rows(t, one, at, counted(t, one, at, reads))).hasSize(1);
    assertThat(cache.rows(t, two, at, counted(t, two, at, reads))).isEmpty();
    assertThat(reads).hasValue(2);
  }

  @Test
  void handsOutCopiesSoACallerCannotChangeWhatTheNextOneGets() {
    log.record(planned("s-1"));
    MetadataReadCache cache = new MetadataReadCache();
    Expression s1 = Expressions.equal("session_id", "s-1");
    Table t = sessions();
    long at = t.currentSnapshot().snapshotId();
    AtomicInteger reads = new AtomicInteger();

    cache.rows(t, s1, at, counted(t, s1, at, reads)).get(0).setField("status", "CHANGED");
    cache.rows(t, s1, at, counted(t, s1, at, reads)).get(0).setField("status", "CHANGED");
    assertThat(cache.rows(t, s1, at, counted(t, s1, at, reads)).get(0).getField("status"))
        .isEqualTo("PLANNED");
    assertThat(reads).hasValue(1);
  }

  @Test
  void keepsNoLargeAnswerAndAtMostItsNumberOfRows() {
    log.record(planned("s-1"));
    MetadataReadCache cache = new MetadataReadCache();
    Table t = sessions();
    long at = t.currentSnapshot().snapshotId();
    Expression all = Expressions.alwaysTrue();
    AtomicInteger reads = new AtomicInteger();
    Supplier<List<Record>> large =
        () -> {
          reads.incrementAndGet();
          Record row = MetadataRows.read(t, all, at, task -> true).get(0);
          return IntStream.rangeClosed(0, MetadataReadCache.MAX_ROWS)
              .mapToObj(i -> row.copy())
              .toList();
        };
    cache.rows(t, all, at, large);
    cache.rows(t, all, at, large);
    assertThat(reads).hasValue(2);
    assertThat(cache.size()).isZero();

    // Answers of 1,000 rows each: at most MAX_HELD_ROWS rows stay, the latest answers.
    Record row = MetadataRows.read(t, all, at, task -> true).get(0);
    int answers = MetadataReadCache.MAX_HELD_ROWS / MetadataReadCache.MAX_ROWS + 2;
    for (int i = 0; i < answers; i++) {
      Expression f = Expressions.equal("session_id", "s-" + i);
      cache.rows(
          t,
          f,
          at,
          () -> IntStream.range(0, MetadataReadCache.MAX_ROWS).mapToObj(n -> row.copy()).toList());
    }
    assertThat(cache.heldRows()).isEqualTo(MetadataReadCache.MAX_HELD_ROWS);
    assertThat(cache.size())
        .isEqualTo(MetadataReadCache.MAX_HELD_ROWS / MetadataReadCache.MAX_ROWS);
    // The latest answer is held, the first one is not.
    Expression latest = Expressions.equal("session_id", "s-" + (answers - 1));
    Expression first = Expressions.equal("session_id", "s-0");
    int before = reads.get();
    cache.rows(t, latest, at, counted(t, latest, at, reads));
    assertThat(reads).hasValue(before);
    cache.rows(t, first, at, counted(t, first, at, reads));
    assertThat(reads).hasValue(before + 1);
  }

  @Test
  void theSessionLogAndTheHighWatermarkMirrorReadThroughIt() {
    log.record(planned("s-1"));
    HighWatermarkMirror mirror = new HighWatermarkMirror(wh.catalog(), NS);
    mirror.update("p", "facts.t", "s-1", List.of(SourceRange.empty("src.t", 7L, null)));
    MetadataReadCache shared = MetadataReadCache.shared();

    assertThat(log.find("p", List.of("s-1"))).containsOnlyKeys("s-1");
    long hits = shared.hits();
    Map<String, Session> again = log.find("p", List.of("s-1"));
    assertThat(shared.hits()).isEqualTo(hits + 1);
    assertThat(again.get("s-1").status()).isEqualTo(SessionStatus.PLANNED);

    assertThat(mirror.read("p")).containsKey("src.t");
    hits = shared.hits();
    assertThat(mirror.read("p").get("src.t").snapshotId).isEqualTo(7L);
    assertThat(shared.hits()).isEqualTo(hits + 1);

    // After a commit the log answers from the new snapshot.
    log.record(planned("s-1").finished(SessionStatus.PUBLISHED, "facts.t", 7L, null));
    assertThat(log.find("p", List.of("s-1")).get("s-1").status())
        .isEqualTo(SessionStatus.PUBLISHED);
  }
}
