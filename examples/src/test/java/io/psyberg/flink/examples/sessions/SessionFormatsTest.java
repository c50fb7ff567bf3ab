package io.psyberg.flink.examples.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.session.ChangeRange;
import io.psyberg.flink.session.SourceRange;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SessionFormatsTest {

  @Test
  void rangesAreHalfOpen() {
    assertThat(SessionFormats.range(range(null, 5L))).isEqualTo("(start, 5]");
    assertThat(SessionFormats.range(range(5L, 9L))).isEqualTo("(5, 9]");
    assertThat(SessionFormats.range(range(null, null))).isEqualTo("(start, none]");
  }

  @Test
  void changeRangesShowReadableTimestamps() {
    assertThat(
            SessionFormats.changeRange(
                new ChangeRange(
                    "event_ts", "2025-12-29T08:00:00.000000", "2026-01-01T09:30:00.123456")))
        .isEqualTo("event_ts 2025-12-29 08:00:00 .. 2026-01-01 09:30:00.123456");
    assertThat(SessionFormats.changeRange(new ChangeRange("n", "1", "42"))).isEqualTo("n 1 .. 42");
    assertThat(SessionFormats.changeRange(null)).isEqualTo("-");
    assertThat(SessionFormats.changeRange(new ChangeRange("n", null, null))).isEqualTo("-");
  }

  @Test
  void instantsInUtcToTheSecond() {
    assertThat(SessionFormats.utc(Instant.parse("2026-02-27T08:00:00.987Z")))
        .isEqualTo("2026-02-27 08:00:00");
    assertThat(SessionFormats.utc(null)).isEqualTo("-");
  }

  private static SourceRange range(Long from, Long to) {
    return new SourceRange("a.b", from, to, 1, 0, 1, 1, null, null);
  }
}
