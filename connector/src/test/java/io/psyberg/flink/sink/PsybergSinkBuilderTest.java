package io.psyberg.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.sink.audit.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PsybergSinkBuilder#build()} validates every setting in one place, with an error that names
 * the process and the option; it opens no catalog.
 */
class PsybergSinkBuilderTest {
  private static PsybergSinkBuilder valid() {
    return PsybergSink.builder()
        .catalog(CatalogSpec.embedded("/nonexistent/warehouse"))
        .processName("p1")
        .table("facts.signups");
  }

  @Test
  void aValidSinkIsBuiltWithoutTouchingTheCatalog() {
    assertThat(valid().auditNotNull(List.of("account_id")).build().processName()).isEqualTo("p1");
  }

  @Test
  void theProcessNameAndACatalogAreRequired() {
    assertThatThrownBy(() -> PsybergSink.builder().table("facts.signups").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'process-name'");
    assertThatThrownBy(() -> PsybergSink.builder().processName("p1").table("a.b").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Process p1")
        .hasMessageContaining("catalog");
  }

  @Test
  void theTargetMustBeAQualifiedTable() {
    assertThatThrownBy(() -> valid().table("signups").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Process p1")
        .hasMessageContaining("'table'")
        .hasMessageContaining("'signups'");
  }

  @Test
  void overwriteRangeNeedsItsColumn() {
    assertThatThrownBy(() -> valid().writeMode(WriteMode.OVERWRITE_RANGE).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Process p1")
        .hasMessageContaining("'overwrite-range-column'");
  }

  @Test
  void parallelismMustBePositive() {
    assertThatThrownBy(() -> valid().parallelism(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Process p1")
        .hasMessageContaining("'sink.parallelism'");
  }

  @Test
  void auditsAreNamedOnceAndSeveritiesNameAConfiguredAudit() {
    assertThatThrownBy(
            () -> valid().auditNotNull(List.of("account_id")).auditNotNull(List.of("plan")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Process p1")
        .hasMessageContaining("unique");
    assertThatThrownBy(() -> valid().severity("row-count", Severity.WARN).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Process p1")
        .hasMessageContaining("'row-count'")
        .hasMessageContaining("not configured");
  }
}
