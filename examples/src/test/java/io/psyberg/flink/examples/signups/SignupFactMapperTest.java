package io.psyberg.flink.examples.signups;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.LocalDateTime;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.junit.jupiter.api.Test;

class SignupFactMapperTest {
  private static final LocalDateTime TS = LocalDateTime.of(2026, 1, 2, 23, 59, 59, 123_456_000);

  @Test
  void aSignupBecomesAFactDatedByItsEventTime() {
    RowData fact = SignupFactMapper.toFact(event("e1", 7L, "SIGNUP", "premium", TS));
    assertThat(fact.getArity()).isEqualTo(5);
    assertThat(fact.getString(0).toString()).isEqualTo("e1");
    assertThat(fact.getLong(1)).isEqualTo(7L);
    assertThat(fact.getString(2).toString()).isEqualTo("premium");
    assertThat(fact.getTimestamp(3, 6).toLocalDateTime()).isEqualTo(TS);
    assertThat(LocalDate.ofEpochDay(fact.getInt(4))).isEqualTo(LocalDate.of(2026, 1, 2));
  }

  @Test
  void aSignupWithoutPlanKeepsTheNull() {
    RowData fact = SignupFactMapper.toFact(event("e1", 7L, "SIGNUP", null, TS));
    assertThat(fact.isNullAt(2)).isTrue();
  }

  @Test
  void aSignupWithoutAKeyCannotBecomeAFact() {
    assertThat(SignupFactMapper.toFact(event(null, 7L, "SIGNUP", "basic", TS))).isNull();
    assertThat(SignupFactMapper.toFact(event("e1", null, "SIGNUP", "basic", TS))).isNull();
    assertThat(SignupFactMapper.toFact(event("e1", 7L, "SIGNUP", "basic", null))).isNull();
  }

  @Test
  void datesBeforeTheEpochAreRight() {
    LocalDateTime old = LocalDateTime.of(1969, 12, 31, 23, 0);
    RowData fact = SignupFactMapper.toFact(event("e1", 1L, "SIGNUP", "basic", old));
    assertThat(LocalDate.ofEpochDay(fact.getInt(4))).isEqualTo(LocalDate.of(1969, 12, 31));
  }

  private static RowData event(
      String id, Long account, String type, String plan, LocalDateTime ts) {
    return GenericRowData.of(
        id == null ? null : StringData.fromString(id),
        account,
        StringData.fromString(type),
        plan == null ? null : StringData.fromString(plan),
        ts == null ? null : TimestampData.fromLocalDateTime(ts));
  }
}
