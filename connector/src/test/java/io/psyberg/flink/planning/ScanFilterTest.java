package io.psyberg.flink.planning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/** Which part of a read's filter Iceberg gets, and when the rows read are checked instead. */
class ScanFilterTest {
  private static final Schema TABLE =
      new Schema(
          Types.NestedField.required(1, "account_id", Types.LongType.get()),
          Types.NestedField.required(2, "event_ts", Types.TimestampType.withoutZone()),
          Types.NestedField.optional(3, "plan", Types.StringType.get()));
  private static final PartitionSpec UNPARTITIONED = PartitionSpec.unpartitioned();
  private static final Expression RECENT =
      Expressions.greaterThanOrEqual("event_ts", "2026-01-02T00:00:00");

  private static Expression accounts(int n) {
    return Expressions.in("account_id", LongStream.range(0, n).boxed().toArray());
  }

  @Test
  void aLargeInIsCheckedOnTheRowsAndTheRestPushed() {
    Expression filter = Expressions.and(RECENT, accounts(ScanFilter.METRICS_IN_LIMIT + 1));
    ScanFilter split = ScanFilter.of(filter, UNPARTITIONED, TABLE);
    assertThat(split.checksRows()).isTrue();
    assertThat(split.pushed().toString().equals(RECENT.toString()))
        .as("only the time pushed")
        .isTrue();
  }

  @Test
  void anInIcebergPrunesByIsPushedWhole() {
    Expression filter = Expressions.and(RECENT, accounts(ScanFilter.METRICS_IN_LIMIT));
    ScanFilter split = ScanFilter.of(filter, UNPARTITIONED, TABLE);
    assertThat(split.checksRows()).isFalse();
    assertThat(split.pushed() == filter).as("pushed whole").isTrue();
  }

  @Test
  void aLargeInOnAPartitionSourceColumnIsPushed() {
    PartitionSpec buckets = PartitionSpec.builderFor(TABLE).bucket("account_id", 16).build();
    Expression filter = Expressions.and(RECENT, accounts(5_000));
    ScanFilter split = ScanFilter.of(filter, buckets, TABLE);
    assertThat(split.checksRows()).isFalse();
    assertThat(split.pushed() == filter).as("pushed whole").isTrue();
  }

  @Test
  void aLargeInUnderNotOrUnderOrOnlyWidensWhatIsPushed() {
    Expression notIn = Expressions.and(RECENT, Expressions.not(accounts(5_000)));
    assertThat(ScanFilter.of(notIn, UNPARTITIONED, TABLE).pushed() == notIn)
        .as("never narrowed")
        .isTrue();

    Expression either = Expressions.or(Expressions.isNull("plan"), accounts(5_000));
    ScanFilter split = ScanFilter.of(either, UNPARTITIONED, TABLE);
    assertThat(split.checksRows()).isTrue();
    assertThat(split.pushed().op()).isEqualTo(Expression.Operation.TRUE);
  }

  @Test
  void aFilterOnAColumnTheRowsLackIsPushedWhole() {
    Expression filter = Expressions.and(RECENT, accounts(5_000));
    ScanFilter split = ScanFilter.of(filter, UNPARTITIONED, TABLE.select("account_id", "plan"));
    assertThat(split.checksRows()).isFalse();
    assertThat(split.pushed() == filter).as("pushed whole").isTrue();
  }
}
