package io.psyberg.flink.examples.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.sink.audit.AuditResult;
import io.psyberg.flink.sink.audit.AuditRunner;
import io.psyberg.flink.sink.audit.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditOutcomesTest {

  @Test
  void readsWhatTheConnectorWrites() {
    String json =
        AuditRunner.toJson(
            List.of(
                AuditResult.of("not-null", true, "nulls {a=0}", "0 nulls in [a]"),
                new AuditResult("row-count", false, "1 rows \"staged\"", "2", Severity.ERROR),
                new AuditResult("max-rows", false, "9", "<= 5", Severity.WARN)));
    assertThat(AuditOutcomes.parse(json))
        .containsExactly(
            new AuditOutcome("not-null", true, "nulls {a=0}", "0 nulls in [a]", "error"),
            new AuditOutcome("row-count", false, "1 rows \"staged\"", "2", "error"),
            new AuditOutcome("max-rows", false, "9", "<= 5", "warn"));
    assertThat(AuditOutcomes.parse(json))
        .extracting(AuditOutcome::result)
        .containsExactly("passed", "FAILED", "FAILED (warn)");
    assertThat(AuditOutcomes.summary(json))
        .isEqualTo("1/3 passed, failed: row-count, max-rows (warn)");
  }

  @Test
  void summarizesPassesAndAbsence() {
    String passed =
        AuditRunner.toJson(
            List.of(AuditResult.of("a", true, 1, 1), AuditResult.of("b", true, 1, 1)));
    assertThat(AuditOutcomes.summary(passed)).isEqualTo("2/2 passed");
    assertThat(AuditOutcomes.summary(null)).isEqualTo("-");
    assertThat(AuditOutcomes.summary("[]")).isEqualTo("-");
    assertThat(AuditOutcomes.summary("not json")).isEqualTo("unreadable");
  }

  @Test
  void rejectsWhatIsNotAnArray() {
    assertThatThrownBy(() -> AuditOutcomes.parse("{\"name\":\"a\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a JSON array");
  }
}
