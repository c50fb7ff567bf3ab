package io.psyberg.flink.examples.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.testutils.CliRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressLineTest {
  @TempDir Path warehouse;

  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final PrintStream stream = new PrintStream(buffer, true, StandardCharsets.UTF_8);

  private String printed() {
    return buffer.toString(StandardCharsets.UTF_8);
  }

  @Test
  void isQuietOnAStreamThatIsNotTheTerminal() {
    try (ProgressLine line = ProgressLine.on(stream)) {
      assertThat(line.enabled()).isFalse();
      line.draw("generate: 10/20 rows");
      line.update("generate: 20/20 rows");
      line.clear();
    }
    assertThat(printed()).isEmpty();
  }

  @Test
  void onATerminalRedrawsInPlaceAndEndsWithANewLine() {
    try (ProgressLine line = new ProgressLine(stream, true)) {
      line.draw("a long first status");
      line.draw("second");
      line.clear();
      line.clear();
      line.draw("last");
    }
    assertThat(printed())
        .isEqualTo("\ra long first status\u001b[K\rsecond\u001b[K\r\u001b[K\rlast\u001b[K" + "\n");
  }

  @Test
  void closingALineNeverShownPrintsNothing() {
    new ProgressLine(stream, true).close();
    assertThat(printed()).isEmpty();
  }

  @Test
  void formatsRatesAndClocks() {
    assertThat(ProgressLine.perSecond(1000, Duration.ofSeconds(10))).isEqualTo(100);
    assertThat(ProgressLine.perSecond(5, Duration.ZERO)).isEqualTo(5000);
    assertThat(ProgressLine.clock(Duration.ofSeconds(3723))).isEqualTo("1:02:03");
  }

  @Test
  void generateShowsNoProgressWhenNotOnATerminal() {
    CliRun run =
        CliRun.of(
            "generate",
            "--warehouse",
            warehouse.toString(),
            "--table",
            "m.events",
            "--accounts",
            "50",
            "--events",
            "25000",
            "--seed",
            "3");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).doesNotContain("\r").startsWith("generated table=m.events");
  }
}
