package io.psyberg.flink.examples.reliability;

import io.psyberg.flink.testutils.Warehouse;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * Lands seeded batches of membership events (DESIGN section 7) as one snapshot each: random
 * accounts, types (including an unknown one) and plans (including none), some events late by up to
 * three days, and, when asked, replays of earlier events (same id and content).
 */
public final class EventBatches {
  public static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "event_id", Types.StringType.get()),
          Types.NestedField.required(2, "account_id", Types.LongType.get()),
          Types.NestedField.required(3, "event_type", Types.StringType.get()),
          Types.NestedField.optional(4, "plan", Types.StringType.get()),
          Types.NestedField.required(5, "event_ts", Types.TimestampType.withoutZone()));
  private static final String[] TYPES = {
    "SIGNUP",
    "PLAN_CHANGE",
    "PAYMENT_HOLD",
    "PAYMENT_RECOVERED",
    "CANCEL",
    "SIGNUP",
    "PLAN_CHANGE",
    "BOGUS"
  };
  private static final String[] PLANS = {"basic", "standard", "premium", null};
  private static final LocalDateTime START = LocalDateTime.of(2026, 1, 1, 0, 0);

  private final Warehouse wh;
  private final String table;
  private final Random rnd;
  private final boolean replays;
  private final String idPrefix;
  private final List<Record> landed = new ArrayList<>();
  private int day;
  private int ids;

  /**
   * @param idPrefix makes event ids unique across batch writers of one table
   * @param replays whether batches may repeat earlier events (the lifecycle counts a repeated id
   *     once)
   */
  public EventBatches(Warehouse wh, String table, long seed, String idPrefix, boolean replays) {
    this.wh = wh;
    this.table = table;
    this.rnd = new Random(seed);
    this.replays = replays;
    this.idPrefix = idPrefix;
  }

  /** Creates the event table. */
  public EventBatches create() {
    wh.createTable(table, SCHEMA);
    return this;
  }

  /**
   * Appends {@code n} events as one snapshot; each batch is a day later, about a fifth of it late.
   */
  public long land(int n) {
    List<Record> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (replays && !landed.isEmpty() && rnd.nextInt(25) == 0) {
        rows.add(landed.get(rnd.nextInt(landed.size())).copy());
        continue;
      }
      boolean late = rnd.nextInt(5) == 0;
      int d = late ? Math.max(0, day - 1 - rnd.nextInt(3)) : day;
      Record r = GenericRecord.create(SCHEMA);
      r.setField("event_id", idPrefix + "-" + (ids++));
      r.setField("account_id", (long) rnd.nextInt(30));
      r.setField("event_type", TYPES[rnd.nextInt(TYPES.length)]);
      r.setField("plan", PLANS[rnd.nextInt(PLANS.length)]);
      r.setField(
          "event_ts",
          START.plusDays(d).plusMinutes(rnd.nextInt(24 * 60)).plusSeconds(rnd.nextInt(60)));
      rows.add(r);
    }
    day++;
    landed.addAll(rows);
    return wh.append(table, rows);
  }

  /** Appends the given events as one snapshot. */
  public long land(Record... events) {
    List<Record> rows = List.of(events);
    landed.addAll(rows);
    return wh.append(table, rows);
  }

  /** One event row; {@code at} as ISO local date-time, e.g. {@code 2026-01-02T11:00}. */
  public static Record event(String id, long account, String type, String plan, String at) {
    Record r = GenericRecord.create(SCHEMA);
    r.setField("event_id", id);
    r.setField("account_id", account);
    r.setField("event_type", type);
    r.setField("plan", plan);
    r.setField("event_ts", LocalDateTime.parse(at));
    return r;
  }

  public int landedCount() {
    return landed.size();
  }
}
