package io.psyberg.flink.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.testutils.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;

class CatalogOptionsTest {
  private static final String SECRET = "Sup3rSecretValue";

  @TempDir Path dir;

  /** A command that has only the mixin. */
  @Command(name = "probe")
  static final class Probe {
    @Mixin CatalogOptions catalog;
  }

  private static CatalogOptions parse(String... args) {
    Probe probe = new Probe();
    CommandLine cli = new CommandLine(probe);
    ChoiceConverter.registerAll(cli);
    cli.parseArgs(args);
    return probe.catalog;
  }

  @Test
  void withoutOptionsItIsTheEmbeddedCatalogOverTheDefaultFolder() throws Exception {
    assertThat(parse().spec()).isEqualTo(CatalogSpec.embedded(CatalogSpec.DEFAULT_WAREHOUSE));
    assertThat(parse("--warehouse", "w").spec()).isEqualTo(CatalogSpec.embedded("w"));
  }

  @Test
  void optionsMeanWhatTheSqlOptionsMean() throws Exception {
    CatalogOptions args =
        parse(
            "--catalog-type",
            "REST",
            "--uri",
            "http://127.0.0.1:8181",
            "--warehouse",
            "s3://bucket/wh",
            "--catalog-option",
            "s3.endpoint=http://127.0.0.1:9000",
            "--catalog-option=s3.secret-access-key=" + SECRET,
            "--catalog-option",
            "s3.query=a=b");
    Map<String, String> sql =
        Map.of(
            "catalog-type", "rest",
            "uri", "http://127.0.0.1:8181",
            "warehouse", "s3://bucket/wh",
            "catalog.s3.endpoint", "http://127.0.0.1:9000",
            "catalog.s3.secret-access-key", SECRET,
            "catalog.s3.query", "a=b");
    assertThat(args.options()).containsExactlyInAnyOrderEntriesOf(sql);
    CatalogSpec spec = args.spec();
    assertThat(spec).isEqualTo(CatalogSpec.fromOptions(sql, Map.<String, String>of(), "sql"));
    assertThat(spec.toFlinkCatalogOptions())
        .containsEntry("catalog-type", "rest")
        .containsEntry("s3.secret-access-key", SECRET);
    assertThat(spec.toString() + args.location(spec)).doesNotContain(SECRET);
    assertThat(args.location(spec))
        .isEqualTo("rest catalog at http://127.0.0.1:8181, warehouse s3://bucket/wh");
  }

  @Test
  void aConfFileGivesTheSqlKeysAndTheCommandLineWins() throws Exception {
    Path conf = dir.resolve("catalog.properties");
    Files.writeString(
        conf,
        "catalog-type = jdbc\n"
            + "uri = jdbc:sqlite:/tmp/a.db\n"
            + "warehouse = file:///tmp/wh\n"
            + "catalog.jdbc.password = "
            + SECRET
            + "\n"
            + "metadata-namespace = meta\n");
    Map<String, String> options =
        parse("--catalog-conf", conf.toString(), "--uri", "jdbc:sqlite:/tmp/b.db").options();
    assertThat(options)
        .containsEntry("catalog-type", "jdbc")
        .containsEntry("uri", "jdbc:sqlite:/tmp/b.db")
        .containsEntry("warehouse", "file:///tmp/wh")
        .containsEntry("catalog.jdbc.password", SECRET)
        .containsEntry("metadata-namespace", "meta");
    assertThat(parse("--catalog-conf", conf.toString()).spec().metadataNamespace())
        .isEqualTo("meta");
  }

  @Test
  void badValuesNameTheOptionAndTheValueAndListValidValuesLowerCase() {
    assertThatThrownBy(() -> parse("--catalog-type", "glue"))
        .isInstanceOf(ParameterException.class)
        .hasMessage(
            "Invalid value for option '--catalog-type': got 'glue', valid values are hadoop, jdbc,"
                + " rest, hive");
    assertThatThrownBy(() -> parse("--catalog-type", "rest").options())
        .hasMessageContaining("option '--uri' is required with --catalog-type rest");
    assertThatThrownBy(() -> parse("--catalog-type", "jdbc", "--uri", "jdbc:x:y").options())
        .hasMessageContaining("option '--warehouse' is required with --catalog-type jdbc");
    assertThatThrownBy(() -> parse("--catalog-option", "s3.endpoint").options())
        .hasMessage(
            "option '--catalog-option' must be KEY=VALUE, e.g. s3.endpoint=http://127.0.0.1:9000;"
                + " got 's3.endpoint'");
    assertThatThrownBy(() -> parse("--catalog-option", "=x").options())
        .hasMessageContaining("must be KEY=VALUE");
  }

  @Test
  void theLocationMasksAPasswordInTheUri() throws Exception {
    CatalogOptions args =
        parse(
            "--catalog-type",
            "jdbc",
            "--uri",
            "jdbc:postgresql://db:5432/iceberg?user=u&password=" + SECRET,
            "--warehouse",
            "file:///tmp/wh");
    assertThat(args.location(args.spec()))
        .isEqualTo(
            "jdbc catalog at jdbc:postgresql://db:5432/iceberg?user=u&password=***, warehouse"
                + " file:///tmp/wh");
    assertThat(args.hint()).isEqualTo("with the same catalog options");
    assertThat(parse("--warehouse", "w").hint()).isEqualTo("--warehouse w");
  }

  @Test
  void aMistypedSecretIsNotEchoed() {
    assertThatThrownBy(() -> parse("--catalog-option", "s3.secret-access-key:" + SECRET).options())
        .hasMessageContaining("must be KEY=VALUE")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void aMistypedOptionDoesNotEchoTheSecretAfterIt() {
    CliRun run = CliRun.of("sessions", "--catalog-optin", "s3.secret-access-key=" + SECRET);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err())
        .startsWith("psyberg sessions: unknown option '--catalog-optin'")
        .containsPattern("Possible solutions: .*--catalog-option")
        .doesNotContain(SECRET);
    CliRun positional = CliRun.of("sessions", "token=" + SECRET);
    assertThat(positional.err())
        .contains("unexpected argument an argument that names a secret (not shown)")
        .doesNotContain(SECRET);
  }

  @Test
  void confFileErrorsNameTheFileAndTheKey() throws Exception {
    Path missing = dir.resolve("missing.properties");
    assertThatThrownBy(() -> parse("--catalog-conf", missing.toString()).options())
        .hasMessage("option '--catalog-conf': file " + missing + " does not exist");
    Path conf = dir.resolve("bad.properties");
    Files.writeString(conf, "s3.endpoint = http://x\n");
    assertThatThrownBy(() -> parse("--catalog-conf", conf.toString()).options())
        .hasMessageContaining("unknown key 's3.endpoint' in " + conf)
        .hasMessageContaining("catalog-type")
        .hasMessageContaining("e.g. catalog.s3.endpoint");
    Files.writeString(conf, "catalog-type = Nessie\n");
    assertThatThrownBy(() -> parse("--catalog-conf", conf.toString()).options())
        .hasMessage(
            "invalid value 'Nessie' for 'catalog-type' in "
                + conf
                + ". Valid values: hadoop, jdbc, rest, hive");
  }

  @Test
  void theDemoRefusesOtherCatalogs() throws Exception {
    assertThat(parse("--warehouse", "w").embeddedWarehouse("demo")).isEqualTo("w");
    assertThatThrownBy(
            () -> parse("--catalog-type", "rest", "--uri", "http://h").embeddedWarehouse("demo"))
        .hasMessageStartingWith("demo runs on the embedded catalog only");
  }

  @Test
  void everyCommandTakesTheCatalogOptionsAndNeverPrintsASecret() {
    for (String command : List.of("generate", "signups", "lifecycle", "sessions", "sql")) {
      List<String> args = new ArrayList<>(List.of(command));
      args.addAll(
          List.of(
              "--catalog-type",
              "rest",
              "--catalog-option",
              "s3.secret-access-key=" + SECRET,
              "--catalog-option",
              "token=" + SECRET));
      CliRun run = CliRun.of(args.toArray(String[]::new));
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(run.err())
          .as(run.toString())
          .contains("--catalog-option KEY=VALUE")
          .doesNotContain(SECRET);
      assertThat(run.out()).doesNotContain(SECRET);
    }
    assertThat(CliRun.of("sessions", "--catalog-type", "rest").err())
        .startsWith(
            "psyberg sessions: option '--uri' is required with --catalog-type rest (the REST"
                + " endpoint, e.g. --uri http://127.0.0.1:8181)");
  }
}
