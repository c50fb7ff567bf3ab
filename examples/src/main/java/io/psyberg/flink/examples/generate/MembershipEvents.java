package io.psyberg.flink.examples.generate;

import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * The membership event shape (DESIGN section 7): {@code event_id STRING NOT NULL, account_id BIGINT
 * NOT NULL, event_type STRING NOT NULL, plan STRING, event_ts TIMESTAMP(6) NOT NULL}.
 */
public final class MembershipEvents {
  public static final String EVENT_ID = "event_id";
  public static final String ACCOUNT_ID = "account_id";
  public static final String EVENT_TYPE = "event_type";
  public static final String PLAN = "plan";
  public static final String EVENT_TS = "event_ts";

  /** The Iceberg schema of a membership event table. */
  public static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, EVENT_ID, Types.StringType.get()),
          Types.NestedField.required(2, ACCOUNT_ID, Types.LongType.get()),
          Types.NestedField.required(3, EVENT_TYPE, Types.StringType.get()),
          Types.NestedField.optional(4, PLAN, Types.StringType.get()),
          Types.NestedField.required(5, EVENT_TS, Types.TimestampType.withoutZone()));

  public static final String SIGNUP = "SIGNUP";
  public static final String PLAN_CHANGE = "PLAN_CHANGE";
  public static final String PAYMENT_HOLD = "PAYMENT_HOLD";
  public static final String PAYMENT_RECOVERED = "PAYMENT_RECOVERED";
  public static final String CANCEL = "CANCEL";

  /** Event types the lifecycle does not know, used for bad events. */
  public static final List<String> UNKNOWN_TYPES = List.of("TRIAL_START", "REFUND", "UPGRADE");

  /** Plans, cheapest first. */
  public static final List<String> PLANS = List.of("basic", "standard", "premium");

  private MembershipEvents() {}
}
