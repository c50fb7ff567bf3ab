package io.psyberg.flink.examples.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

class ResultPrinterTest {
  private final ValueFormatter values = new ValueFormatter(ZoneOffset.UTC);

  private final ResultTable table =
      new ResultTable(
          List.of("id", "name", "ts"),
          List.of(
              DataTypes.BIGINT().getLogicalType(),
              DataTypes.STRING().getLogicalType(),
              DataTypes.TIMESTAMP(6).getLogicalType()),
          new ArrayList<>(
              List.of(
                  Row.of(1L, "basic", LocalDateTime.of(2026, 2, 27, 8, 0)),
                  Row.of(1234L, null, LocalDateTime.of(2026, 2, 27, 8, 0, 5, 123_456_000)))));

  @Test
  void tableIsAlignedWithHeaderAndRowCount() {
    assertThat(print(new TablePrinter(values), table))
        .isEqualTo(
            "+------+-------+----------------------------+\n"
                + "|   id | name  | ts                         |\n"
                + "+------+-------+----------------------------+\n"
                + "|    1 | basic | 2026-02-27 08:00:00        |\n"
                + "| 1234 | NULL  | 2026-02-27 08:00:05.123456 |\n"
                + "+------+-------+----------------------------+\n"
                + "2 rows\n");
  }

  @Test
  void csvHasAHeaderAndQuotesWhatNeedsIt() {
    table.rows().add(Row.of(7L, "a,\"b\"", null));
    table.rows().add(Row.of(8L, "", null));
    assertThat(print(new CsvPrinter(values), table))
        .isEqualTo(
            "id,name,ts\n"
                + "1,basic,2026-02-27 08:00:00\n"
                + "1234,,2026-02-27 08:00:05.123456\n"
                + "7,\"a,\"\"b\"\"\",\n"
                + "8,\"\",\n");
  }

  @Test
  void formatsValuesReadably() {
    assertThat(values.format(LocalDateTime.of(2026, 2, 27, 8, 0))).isEqualTo("2026-02-27 08:00:00");
    assertThat(values.format(LocalDateTime.of(2026, 2, 27, 8, 0, 0, 1)))
        .isEqualTo("2026-02-27 08:00:00.000000001");
    assertThat(values.format(Instant.parse("2026-02-27T08:00:01.5Z")))
        .isEqualTo("2026-02-27 08:00:01.500000");
    assertThat(values.format(LocalDate.of(2026, 1, 2))).isEqualTo("2026-01-02");
    assertThat(values.format(new BigDecimal("1E+3"))).isEqualTo("1000");
    assertThat(values.format(new byte[] {1, (byte) 0xff})).isEqualTo("x'01ff'");
    assertThat(values.format(new Integer[] {1, null})).isEqualTo("[1, NULL]");
  }

  private static String print(ResultPrinter printer, ResultTable table) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      printer.print(table, out);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
