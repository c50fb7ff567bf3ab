package io.psyberg.flink.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParsedArgsTest {
  private static final List<OptionSpec> SPECS =
      List.of(
          OptionSpec.value("table", "NS.T", "table"),
          OptionSpec.value("format", "F", "format", "table"),
          OptionSpec.value("execute", "S", "statements"),
          OptionSpec.flag("help", "help"));

  @Test
  void readsSeparateAndInlineValues() throws Exception {
    ParsedArgs args = ParsedArgs.parse(SPECS, List.of("--table", "a.b", "--format=csv"));
    assertThat(args.get("table")).contains("a.b");
    assertThat(args.get("format")).contains("csv");
    assertThat(args.has("help")).isFalse();
  }

  @Test
  void fallsBackToDefaults() throws Exception {
    ParsedArgs args = ParsedArgs.parse(SPECS, List.of());
    assertThat(args.get("format")).contains("table");
    assertThat(args.get("table")).isEmpty();
    assertThat(args.has("format")).isFalse();
  }

  @Test
  void valuesMayStartWithDashes() throws Exception {
    ParsedArgs args = ParsedArgs.parse(SPECS, List.of("--execute", "-- a comment\nSELECT 1"));
    assertThat(args.get("execute")).contains("-- a comment\nSELECT 1");
  }

  @Test
  void rejectsWhatItDoesNotKnow() {
    assertThatThrownBy(() -> ParsedArgs.parse(SPECS, List.of("table")))
        .hasMessageContaining("unexpected argument 'table'");
    assertThatThrownBy(() -> ParsedArgs.parse(SPECS, List.of("--tables", "x")))
        .hasMessageContaining("unknown option '--tables'");
    assertThatThrownBy(() -> ParsedArgs.parse(SPECS, List.of("--table", "--format", "csv")))
        .hasMessageContaining("option '--table' needs a value");
    assertThatThrownBy(() -> ParsedArgs.parse(SPECS, List.of("--table", "a", "--table", "b")))
        .hasMessageContaining("given more than once");
    assertThatThrownBy(() -> ParsedArgs.parse(SPECS, List.of("--help=yes")))
        .hasMessageContaining("takes no value");
  }

  @Test
  void aRepeatableOptionKeepsEveryValueInOrder() throws Exception {
    List<OptionSpec> specs = List.of(OptionSpec.repeatable("opt", "K=V", "a property"));
    ParsedArgs args = ParsedArgs.parse(specs, List.of("--opt", "a=1", "--opt=b=2", "--opt", "a=3"));
    assertThat(args.all("opt")).containsExactly("a=1", "b=2", "a=3");
    assertThat(args.get("opt")).contains("a=3");
    assertThat(ParsedArgs.parse(specs, List.of()).all("opt")).isEmpty();
    assertThat(specs.get(0).synopsis()).isEqualTo("--opt K=V ...");
  }

  @Test
  void checksNumbers() throws Exception {
    ParsedArgs args =
        ParsedArgs.parse(SPECS, List.of("--table", "12", "--format", "0.25", "--execute", "x"));
    assertThat(args.requiredLong("table", 1)).isEqualTo(12);
    assertThat(args.fraction("format")).isEqualTo(0.25);
    assertThatThrownBy(() -> args.requiredLong("table", 20)).hasMessageContaining("at least 20");
    assertThatThrownBy(() -> args.fraction("execute"))
        .hasMessageContaining("'--execute' must be a number between 0 and 1, got 'x'");
  }
}
