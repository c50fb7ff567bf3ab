package io.psyberg.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.catalog.CatalogSpec;
import java.time.Duration;
import org.apache.flink.api.connector.source.Boundedness;
import org.junit.jupiter.api.Test;

/**
 * {@link PsybergSourceBuilder#build()} validates every setting in one place, with an error that
 * names the process and the option; it opens no catalog.
 */
class PsybergSourceBuilderTest {
  private static PsybergSourceBuilder valid() {
    return PsybergSource.builder()
        .catalog(CatalogSpec.embedded("/nonexistent/warehouse"))
        .processName("p1")
        .tables("membership.events");
  }

  @Test
  void aValidSourceIsBuiltWithoutTouchingTheCatalog() {
    PsybergSource bounded = valid().build();
    PsybergSource continuous = valid().continuous(Duration.ofSeconds(5)).build();

    assertThat(bounded.getBoundedness()).isEqualTo(Boundedness.BOUNDED);
    assertThat(continuous.getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
  }

  @Test
  void theProcessNameIsRequired() {
    assertThatThrownBy(() -> valid().processName(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'process-name'")
        .hasMessageContaining("required");
  }

  @Test
  void aCatalogIsRequired() {
    assertThatThrownBy(() -> PsybergSource.builder().processName("p1").tables("a.b").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Process p1")
        .hasMessageContaining("catalog");
  }

  @Test
  void sourceTablesAreRequiredQualifiedAndDistinct() {
    assertThatThrownBy(
            () ->
                PsybergSource.builder()
                    .catalog(CatalogSpec.embedded("/w"))
                    .processName("p1")
                    .build())
        .hasMessageContaining("Process p1")
        .hasMessageContaining("'table'");
    assertThatThrownBy(() -> valid().tables("events").build())
        .hasMessageContaining("Process p1")
        .hasMessageContaining("'events'")
        .hasMessageContaining("namespace.table");
    assertThatThrownBy(() -> valid().tables("membership.events").build())
        .hasMessageContaining("Process p1")
        .hasMessageContaining("membership.events")
        .hasMessageContaining("twice");
  }

  @Test
  void numericOptionsMustBeInRange() {
    assertThatThrownBy(() -> valid().continuous(Duration.ZERO).build())
        .hasMessageContaining("Process p1")
        .hasMessageContaining("'monitor-interval'");
    assertThatThrownBy(() -> valid().maxSnapshotsPerSession(-1).build())
        .hasMessageContaining("Process p1")
        .hasMessageContaining("'max-snapshots-per-session'");
    assertThatThrownBy(() -> valid().splitSize(0).build())
        .hasMessageContaining("Process p1")
        .hasMessageContaining("'split-size'");
  }
}
