package io.psyberg.flink.examples.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.examples.cli.UsageException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing of the backfill range, the progress line and the report's JSON strings. */
class BackfillRangeTest {

  @Test
  void parsesDatesAndDateTimesAsAHalfOpenRange() throws UsageException {
    BackfillRange range = BackfillRange.parse("2026-01-02", "2026-01-02T06:30:00", false);
    assertThat(range.from()).isEqualTo(LocalDateTime.parse("2026-01-02T00:00:00"));
    assertThat(range.contains(LocalDateTime.parse("2026-01-02T00:00:00"))).isTrue();
    assertThat(range.contains(LocalDateTime.parse("2026-01-02T06:30:00"))).isFalse();
    assertThat(range.toString()).isEqualTo("[2026-01-02T00:00, 2026-01-02T06:30)");
    assertThat(BackfillRange.parse(null, null, true).isAll()).isTrue();
  }

  @Test
  void rejectsBadRangesNamingTheOption() {
    assertThatThrownBy(() -> BackfillRange.parse("2026-13-01", "2026-01-02", false))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("'--from-time' has the bad value '2026-13-01'");
    assertThatThrownBy(() -> BackfillRange.parse("2026-01-02", "2026-01-01", false))
        .hasMessageContaining("must be before --to-time");
    assertThatThrownBy(() -> BackfillRange.parse("2026-01-02", null, false))
        .hasMessageContaining("--from-time T1 --to-time T2");
    assertThatThrownBy(() -> BackfillRange.parse("2026-01-02", null, true))
        .hasMessageContaining("either --all or --from-time");
  }

  @Test
  void progressLineShowsChunksRowsRateAndEta() {
    Backfill b =
        Backfill.started("id1", "p", "signups", null, null, Map.of(), List.of("t"), 1, 4)
            .withProgress(1, 1000);
    String line = BackfillProgress.of(b, b.startedAt().plusSeconds(10));
    assertThat(line)
        .isEqualTo("[######------------------] 1/4 chunks, 1,000 rows, 100 rows/s, ETA 0:00:30");
    assertThat(BackfillProgress.of(b.withProgress(0, 0), Instant.now())).endsWith("ETA ?");
  }

  @Test
  void reportQuotesStringsAsJson() {
    assertThat(ValidationReport.quote("a\"b\\c\nd\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\"");
  }
}
