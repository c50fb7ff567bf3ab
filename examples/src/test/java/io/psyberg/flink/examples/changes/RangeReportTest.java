package io.psyberg.flink.examples.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.session.ChangeRange;
import io.psyberg.flink.session.SourceRange;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class RangeReportTest {
  private static final SourceRange RANGE =
      new SourceRange(
          "raw.events",
          11L,
          42L,
          3,
          1,
          4,
          250,
          new ChangeRange("event_ts", "2026-03-01T08:00:00.000000", "2026-03-02T09:30:00.000000"),
          1_700_000_000_000L);

  private static String print(RangeReport report, boolean json) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), json);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void jsonHasTheContractsFields() throws Exception {
    JsonNode json =
        new ObjectMapper()
            .readTree(
                print(
                    new RangeReport()
                        .put("session_id", "s-1")
                        .put("change_table", "raw.events__changes_p")
                        .range(RANGE),
                    true));
    assertThat(json.get("session_id").asText()).isEqualTo("s-1");
    assertThat(json.get("change_table").asText()).isEqualTo("raw.events__changes_p");
    JsonNode range = json.get("ranges").get(0);
    assertThat(range.get("source_table").asText()).isEqualTo("raw.events");
    assertThat(range.get("from_snapshot_id").asLong()).isEqualTo(11);
    assertThat(range.get("to_snapshot_id").asLong()).isEqualTo(42);
    assertThat(range.get("record_count").asLong()).isEqualTo(250);
    assertThat(json.get("change_range").get("column").asText()).isEqualTo("event_ts");
    assertThat(json.get("change_range").get("max").asText())
        .isEqualTo("2026-03-02T09:30:00.000000");
  }

  @Test
  void tableIsOneAlignedLinePerField() throws Exception {
    String text =
        print(
            new RangeReport()
                .put("session_id", "s-1")
                .range(new SourceRange("raw.events", null, 42L, 1, 0, 1, 5, null, null)),
            false);
    assertThat(text)
        .contains("session_id    s-1")
        .contains("source_range  (start, 42]")
        .contains("records       5")
        .doesNotContain("change_range");
  }
}
