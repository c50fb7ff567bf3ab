package io.psyberg.flink.examples.signups;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class SignupFactsTest {

  @Test
  void theOwnShapeFits() {
    assertThat(SignupFacts.differences(SignupFacts.SCHEMA)).isEmpty();
  }

  @Test
  void nullableKeyColumnsAreAccepted() {
    Schema relaxed =
        new Schema(
            Types.NestedField.optional(11, "event_id", Types.StringType.get()),
            Types.NestedField.optional(12, "account_id", Types.LongType.get()),
            Types.NestedField.optional(13, "plan", Types.StringType.get()),
            Types.NestedField.optional(14, "event_ts", Types.TimestampType.withoutZone()),
            Types.NestedField.optional(15, "signup_date", Types.DateType.get()));
    assertThat(SignupFacts.differences(relaxed)).isEmpty();
  }

  @Test
  void otherOrderTypesAndZonesAreNamed() {
    Schema shuffled =
        new Schema(
            Types.NestedField.required(1, "account_id", Types.LongType.get()),
            Types.NestedField.required(2, "event_id", Types.StringType.get()),
            Types.NestedField.optional(3, "plan", Types.StringType.get()),
            Types.NestedField.required(4, "event_ts", Types.TimestampType.withoutZone()),
            Types.NestedField.required(5, "signup_date", Types.DateType.get()));
    assertThat(SignupFacts.differences(shuffled))
        .containsExactly(
            "the columns are in the order account_id, event_id, plan, event_ts, signup_date,"
                + " should be event_id, account_id, plan, event_ts, signup_date");

    Schema zoned =
        new Schema(
            Types.NestedField.required(1, "event_id", Types.StringType.get()),
            Types.NestedField.required(2, "account_id", Types.LongType.get()),
            Types.NestedField.optional(3, "plan", Types.StringType.get()),
            Types.NestedField.required(4, "event_ts", Types.TimestampType.withZone()),
            Types.NestedField.required(5, "signup_date", Types.TimestampType.withoutZone()));
    assertThat(SignupFacts.differences(zoned))
        .isEqualTo(
            List.of(
                "column 'event_ts' is TIMESTAMP_LTZ(6), should be TIMESTAMP(6)",
                "column 'signup_date' is TIMESTAMP(6), should be DATE"));
  }

  @Test
  void describesTheShapeAsDdl() {
    assertThat(SignupFacts.describe(SignupFacts.SCHEMA))
        .isEqualTo(
            "event_id STRING NOT NULL, account_id BIGINT NOT NULL, plan STRING,"
                + " event_ts TIMESTAMP(6) NOT NULL, signup_date DATE NOT NULL");
    assertThat(SignupFacts.SCHEMA.identifierFieldNames()).containsExactly("event_id");
  }
}
