package io.psyberg.flink.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.OnLostHighWatermark;
import io.psyberg.flink.planning.SessionSettings;
import io.psyberg.flink.planning.StartFrom;
import io.psyberg.flink.session.Processing;
import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.source.PsybergSourceOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Options set by key and by the typed setters take one path: they resolve to the same settings, and
 * every bad value gets the same message naming the process, the option, the value and what is
 * valid.
 */
class OptionPathTest {
  private static final String P = "p1";

  @TempDir Path dir;

  private CatalogSpec spec() {
    return CatalogSpec.embedded(dir.toString());
  }

  @Test
  void optionsByKeyAndTypedSettersResolveToTheSameSource() {
    PsybergSource byKey =
        PsybergSource.builder()
            .setAll(
                Map.of(
                    "warehouse", dir.toString(),
                    "process-name", P,
                    "table", "ns.a, ns.b",
                    "mode", "CONTINUOUS",
                    "monitor-interval", "3 s",
                    "start-from", "snapshot:42",
                    "non-append-snapshots", "skip",
                    "on-lost-hwm", "earliest",
                    "max-snapshots-per-session", "5",
                    "processing", "stateful"))
            .set("change-range-column", "event_ts")
            .set("target-table", "facts.t")
            .build();
    PsybergSource typed =
        PsybergSource.builder()
            .catalog(spec())
            .processName(P)
            .tables("ns.a", "ns.b")
            .continuous(Duration.ofSeconds(3))
            .startFrom(StartFrom.snapshot(42))
            .nonAppendSnapshots(NonAppendSnapshots.SKIP)
            .onLostHighWatermark(OnLostHighWatermark.EARLIEST)
            .maxSnapshotsPerSession(5)
            .processing(Processing.STATEFUL)
            .changeRangeColumn("event_ts")
            .targetTable("facts.t")
            .build();
    for (PsybergSource s : List.of(byKey, typed)) {
      SessionSettings settings = s.settings();
      assertThat(settings.sourceTables()).containsExactly("ns.a", "ns.b");
      assertThat(settings.continuous()).isTrue();
      assertThat(settings.startFrom()).isEqualTo(StartFrom.snapshot(42));
      assertThat(settings.nonAppendSnapshots()).isEqualTo(NonAppendSnapshots.SKIP);
      assertThat(settings.onLostHighWatermark()).isEqualTo(OnLostHighWatermark.EARLIEST);
      assertThat(settings.maxSnapshotsPerSession()).isEqualTo(5);
      assertThat(settings.processing()).isEqualTo(Processing.STATEFUL);
      assertThat(settings.changeRangeColumn()).isEqualTo("event_ts");
      assertThat(settings.targetTables()).containsExactly("facts.t");
    }
    assertThat(byKey.catalog()).isEqualTo(typed.catalog());
  }

  @Test
  void everyBadChoiceGetsOneMessage() {
    assertThat(sourceError(PsybergSourceOptions.MODE.key(), "sometimes"))
        .isEqualTo(
            "Process p1: invalid value 'sometimes' for option 'mode'. Valid values: bounded,"
                + " continuous.");
    assertThat(sourceError("on-lost-hwm", "latest"))
        .isEqualTo(
            "Process p1: invalid value 'latest' for option 'on-lost-hwm'. Valid values: fail,"
                + " earliest, reprocess-by-key.");
    assertThat(sourceError("processing", "magic"))
        .isEqualTo(
            "Process p1: invalid value 'magic' for option 'processing'. Valid values: stateless,"
                + " stateful.");
    assertThat(sinkError("write-mode", "merge"))
        .isEqualTo(
            "Process p1: invalid value 'merge' for option 'write-mode'. Valid values: append,"
                + " upsert, retract, overwrite-range.");
    assertThat(sinkError("audit.row-count", "exact"))
        .isEqualTo(
            "Process p1: invalid value 'exact' for option 'audit.row-count'. Valid values: none,"
                + " match-source.");
    assertThat(sinkError("audit.not-null.severity", "fatal"))
        .isEqualTo(
            "Process p1: invalid value 'fatal' for option 'audit.not-null.severity'. Valid"
                + " values: error, warn.");
    assertThat(sourceError("monitor-interval", "soon"))
        .isEqualTo(
            "Process p1: invalid value 'soon' for option 'monitor-interval'. Expected a duration,"
                + " e.g. '10 s', '500 ms' or '1 min'.");
    assertThat(sinkError("sink.parallelism", "many"))
        .isEqualTo(
            "Process p1: invalid value 'many' for option 'sink.parallelism'. Expected a whole"
                + " number.");
  }

  @Test
  void choicesAreMatchedInAnyCase() {
    assertThat(
            PsybergSource.builder()
                .catalog(spec())
                .processName(P)
                .tables("ns.a")
                .set("on-lost-hwm", "EARLIEST")
                .build()
                .settings()
                .onLostHighWatermark())
        .isEqualTo(OnLostHighWatermark.EARLIEST);
  }

  @Test
  void unknownKeysAreNamedWithTheValidOnes() {
    assertThatThrownBy(
            () ->
                PsybergSource.builder()
                    .catalog(spec())
                    .processName(P)
                    .tables("ns.a")
                    .set("mood", "bounded")
                    .build())
        .hasMessageContaining("Process p1: unknown option 'mood'")
        .hasMessageContaining("mode, monitor-interval")
        .hasMessageContaining("catalog.<property>");
    assertThatThrownBy(
            () ->
                PsybergSink.builder()
                    .catalog(spec())
                    .processName(P)
                    .table("facts.t")
                    .set("mode", "bounded")
                    .build())
        .hasMessageContaining("Process p1: unknown option 'mode'")
        .hasMessageContaining("write-mode")
        .hasMessageContaining("audit.<name>.severity");
  }

  @Test
  void catalogOptionsByKeyStandForCatalog() {
    assertThatThrownBy(
            () ->
                PsybergSink.builder()
                    .processName(P)
                    .table("facts.t")
                    .set("catalog-type", "rest")
                    .build())
        .hasMessageContaining("Process p1")
        .hasMessageContaining("'uri' is required for catalog-type 'rest'");
    assertThat(
            PsybergSink.builder()
                .processName(P)
                .table("facts.t")
                .set("warehouse", dir.toString())
                .build()
                .table())
        .isEqualTo("facts.t");
  }

  private String sourceError(String key, String value) {
    return message(
        () ->
            PsybergSource.builder()
                .catalog(spec())
                .processName(P)
                .tables("ns.a")
                .set(key, value)
                .build());
  }

  private String sinkError(String key, String value) {
    return message(
        () ->
            PsybergSink.builder()
                .catalog(spec())
                .processName(P)
                .table("facts.t")
                .auditNotNull(List.of("a"))
                .set(key, value)
                .build());
  }

  private static String message(Runnable build) {
    try {
      build.run();
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    throw new AssertionError("build() accepted the value");
  }
}
