package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.backfill.SnapshotFiles;
import io.psyberg.flink.examples.generate.MembershipEvents;
import io.psyberg.flink.examples.signups.SignupFacts;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import javax.annotation.Nullable;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;

/**
 * The signups job as a backfill: one fact per {@code SIGNUP} event whose {@code event_ts} lies in
 * the range. Stateless, so chunks are slices of each source's files by landing order (at most
 * {@code --max-snapshots-per-session} snapshots' worth each), and a catch-up only adds the facts of
 * newer events.
 */
public final class SignupsBackfill implements BackfillJob {

  /** The signups job's mapping of an event to its fact (null: the event gives no fact). */
  public static final Function<Record, Record> FACTS = SignupsBackfill::fact;

  private final Map<String, Table> sources = new TreeMap<>();
  private final Map<String, Long> fixed;
  private final String target;
  private final BackfillRange range;
  private final Function<Record, Record> toFact;
  private final List<Chunk> chunks = new ArrayList<>();

  private record Chunk(String source, long afterSequence, long throughSequence) {}

  /**
   * Source rows a chunk reads at most when no snapshot count is given: a chunk's facts are held in
   * memory until committed, so a long history is built in several chunks.
   */
  static final long ROWS_PER_CHUNK = 20_000_000L;

  /**
   * @param maxSnapshotsPerChunk source snapshots (files of one landing) per chunk; 0: chunks of up
   *     to {@link #ROWS_PER_CHUNK} source rows
   * @param toFact the job's logic: {@link #FACTS}, or a fixed version of it
   */
  public SignupsBackfill(
      Catalog catalog,
      Map<String, Long> fixed,
      String target,
      BackfillRange range,
      int maxSnapshotsPerChunk,
      Function<Record, Record> toFact) {
    this(catalog, fixed, target, range, maxSnapshotsPerChunk, ROWS_PER_CHUNK, toFact);
  }

  SignupsBackfill(
      Catalog catalog,
      Map<String, Long> fixed,
      String target,
      BackfillRange range,
      int maxSnapshotsPerChunk,
      long rowsPerChunk,
      Function<Record, Record> toFact) {
    this.fixed = fixed;
    this.target = target;
    this.range = range;
    this.toFact = toFact;
    fixed.keySet().forEach(s -> sources.put(s, catalog.loadTable(TableIdentifier.parse(s))));
    for (Map.Entry<String, Table> source : sources.entrySet()) {
      Long snapshot = fixed.get(source.getKey());
      if (snapshot == null) {
        continue;
      }
      SortedMap<Long, Long> records =
          SnapshotFiles.recordsBySequenceNumber(source.getValue(), snapshot, events());
      // consecutive landings, up to the snapshot count or (none given) the row bound per chunk
      long after = -1L;
      long through = -1L;
      int snapshots = 0;
      long rows = 0;
      for (Map.Entry<Long, Long> landing : records.entrySet()) {
        boolean full =
            maxSnapshotsPerChunk > 0
                ? snapshots == maxSnapshotsPerChunk
                : snapshots > 0 && rows + landing.getValue() > rowsPerChunk;
        if (full) {
          chunks.add(new Chunk(source.getKey(), after, through));
          after = through;
          snapshots = 0;
          rows = 0;
        }
        through = landing.getKey();
        snapshots++;
        rows += landing.getValue();
      }
      if (snapshots > 0) {
        chunks.add(new Chunk(source.getKey(), after, through));
      }
    }
  }

  @Override
  public Map<String, Expression> ranges() {
    return Map.of(target, range.filter(SignupFacts.EVENT_TS));
  }

  @Override
  public int chunkCount() {
    return chunks.size();
  }

  @Override
  public Map<String, List<Record>> chunk(int chunk) {
    Chunk c = chunks.get(chunk);
    // each event becomes its fact on the thread that read it
    return Map.of(
        target,
        SnapshotFiles.read(
            sources.get(c.source()),
            fixed.get(c.source()),
            events(),
            seq -> seq > c.afterSequence() && seq <= c.throughSequence(),
            toFact::apply));
  }

  @Override
  public Map<String, Replacement> catchUp(Map<String, Long> from, Map<String, Long> to) {
    List<Record> facts = new ArrayList<>();
    for (Map.Entry<String, Table> source : sources.entrySet()) {
      Long end = to.get(source.getKey());
      if (end == null) {
        continue;
      }
      long after = SnapshotFiles.sequenceNumber(source.getValue(), from.get(source.getKey()));
      facts.addAll(
          SnapshotFiles.read(source.getValue(), end, events(), seq -> seq > after, toFact::apply));
    }
    return Map.of(target, new Replacement(Expressions.alwaysFalse(), facts));
  }

  private Expression events() {
    return Expressions.and(
        Expressions.equal(MembershipEvents.EVENT_TYPE, MembershipEvents.SIGNUP),
        range.filter(MembershipEvents.EVENT_TS));
  }

  /** As {@code SignupFactMapper}: events without a key or time give no fact. */
  @Nullable
  private static Record fact(Record event) {
    Object id = event.getField(MembershipEvents.EVENT_ID);
    Object account = event.getField(MembershipEvents.ACCOUNT_ID);
    LocalDateTime ts = (LocalDateTime) event.getField(MembershipEvents.EVENT_TS);
    if (id == null || account == null || ts == null) {
      return null;
    }
    Record fact = GenericRecord.create(SignupFacts.SCHEMA);
    fact.setField(SignupFacts.EVENT_ID, id);
    fact.setField(SignupFacts.ACCOUNT_ID, account);
    fact.setField(SignupFacts.PLAN, event.getField(MembershipEvents.PLAN));
    fact.setField(SignupFacts.EVENT_TS, ts);
    fact.setField(SignupFacts.SIGNUP_DATE, ts.toLocalDate());
    return fact;
  }
}
