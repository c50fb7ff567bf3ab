package io.psyberg.flink.examples.signups;

import io.psyberg.flink.examples.generate.MembershipEvents;
import io.psyberg.flink.examples.jobs.EventSources;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.util.Collector;

/**
 * Turns membership events (the columns of {@link EventSources#COLUMNS}, in that order) into signup
 * facts ({@link SignupFacts#SCHEMA}): one fact per {@code SIGNUP} event, with {@code signup_date}
 * the date of {@code event_ts}. Other events are skipped.
 *
 * <p>A {@code SIGNUP} without {@code event_id}, {@code account_id} or {@code event_ts} (possible
 * only in a source whose columns are nullable) cannot become a fact: it is left out and counted as
 * rejected, and the row-count audit then stops the session from being published.
 *
 * <p>Counts go to accumulators ({@link #ROWS_READ}, {@link #SIGNUPS}, {@link #REJECTED}) that a
 * bounded run reports when it ends.
 */
public final class SignupFactMapper extends RichFlatMapFunction<RowData, RowData> {
  private static final long serialVersionUID = 1L;

  /** Accumulator: events read. */
  public static final String ROWS_READ = "signups.rows-read";

  /** Accumulator: {@code SIGNUP} events among them. */
  public static final String SIGNUPS = "signups.signup-events";

  /** Accumulator: {@code SIGNUP} events that could not become a fact. */
  public static final String REJECTED = "signups.rejected";

  private static final int EVENT_ID = EventSources.COLUMNS.indexOf(MembershipEvents.EVENT_ID);
  private static final int ACCOUNT_ID = EventSources.COLUMNS.indexOf(MembershipEvents.ACCOUNT_ID);
  private static final int EVENT_TYPE = EventSources.COLUMNS.indexOf(MembershipEvents.EVENT_TYPE);
  private static final int PLAN = EventSources.COLUMNS.indexOf(MembershipEvents.PLAN);
  private static final int EVENT_TS = EventSources.COLUMNS.indexOf(MembershipEvents.EVENT_TS);
  private static final int TS_PRECISION = 6;

  private transient LongCounter read;
  private transient LongCounter signups;
  private transient LongCounter rejected;

  @Override
  public void open(Configuration parameters) {
    read = getRuntimeContext().getLongCounter(ROWS_READ);
    signups = getRuntimeContext().getLongCounter(SIGNUPS);
    rejected = getRuntimeContext().getLongCounter(REJECTED);
  }

  @Override
  public void flatMap(RowData event, Collector<RowData> out) {
    read.add(1);
    if (event.isNullAt(EVENT_TYPE)
        || !MembershipEvents.SIGNUP.equals(event.getString(EVENT_TYPE).toString())) {
      return;
    }
    signups.add(1);
    RowData fact = toFact(event);
    if (fact == null) {
      rejected.add(1);
      return;
    }
    out.collect(fact);
  }

  /** The fact of a {@code SIGNUP} event, or null when a NOT NULL fact column would be null. */
  static RowData toFact(RowData event) {
    if (event.isNullAt(EVENT_ID) || event.isNullAt(ACCOUNT_ID) || event.isNullAt(EVENT_TS)) {
      return null;
    }
    TimestampData ts = event.getTimestamp(EVENT_TS, TS_PRECISION);
    int signupDate = (int) ts.toLocalDateTime().toLocalDate().toEpochDay();
    return GenericRowData.of(
        copy(event.getString(EVENT_ID)),
        event.getLong(ACCOUNT_ID),
        event.isNullAt(PLAN) ? null : copy(event.getString(PLAN)),
        ts,
        signupDate);
  }

  /** Strings of a reader's row may share its buffers: a fact owns its own. */
  private static StringData copy(StringData s) {
    return StringData.fromString(s.toString());
  }
}
