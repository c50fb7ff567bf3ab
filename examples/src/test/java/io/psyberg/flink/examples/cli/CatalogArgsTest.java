package io.psyberg.flink.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.PsybergCli;
import io.psyberg.flink.examples.testutils.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogArgsTest {
  private static final String SECRET = "Sup3rSecretValue";

  @TempDir Path dir;

  private static ParsedArgs parse(String... args) throws UsageException {
    return ParsedArgs.parse(PsybergCli.COMMON_OPTIONS, Arrays.asList(args));
  }

  @Test
  void withoutOptionsItIsTheEmbeddedCatalogOverTheDefaultFolder() throws Exception {
    assertThat(CatalogArgs.spec(parse()))
        .isEqualTo(CatalogSpec.embedded(CatalogSpec.DEFAULT_WAREHOUSE));
    assertThat(CatalogArgs.spec(parse("--warehouse", "w"))).isEqualTo(CatalogSpec.embedded("w"));
  }

  @Test
  void optionsMeanWhatTheSqlOptionsMean() throws Exception {
    ParsedArgs args =
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
    assertThat(CatalogArgs.options(args)).containsExactlyInAnyOrderEntriesOf(sql);
    CatalogSpec spec = CatalogArgs.spec(args);
    assertThat(spec).isEqualTo(CatalogSpec.fromOptions(sql, Map.<String, String>of(), "sql"));
    assertThat(spec.toFlinkCatalogOptions())
        .containsEntry("catalog-type", "rest")
        .containsEntry("s3.secret-access-key", SECRET);
    assertThat(spec.toString() + CatalogArgs.location(args, spec)).doesNotContain(SECRET);
    assertThat(CatalogArgs.location(args, spec))
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
        CatalogArgs.options(
            parse("--catalog-conf", conf.toString(), "--uri", "jdbc:sqlite:/tmp/b.db"));
    assertThat(options)
        .containsEntry("catalog-type", "jdbc")
        .containsEntry("uri", "jdbc:sqlite:/tmp/b.db")
        .containsEntry("warehouse", "file:///tmp/wh")
        .containsEntry("catalog.jdbc.password", SECRET)
        .containsEntry("metadata-namespace", "meta");
    assertThat(CatalogArgs.spec(parse("--catalog-conf", conf.toString())).metadataNamespace())
        .isEqualTo("meta");
  }

  @Test
  void badValuesNameTheOptionAndTheValueAndListValidValuesLowerCase() {
    assertThatThrownBy(() -> CatalogArgs.options(parse("--catalog-type", "glue")))
        .isInstanceOf(UsageException.class)
        .hasMessage(
            "invalid value 'glue' for option '--catalog-type'. Valid values: hadoop, jdbc, rest,"
                + " hive");
    assertThatThrownBy(() -> CatalogArgs.options(parse("--catalog-type", "rest")))
        .hasMessageContaining("option '--uri' is required with --catalog-type rest");
    assertThatThrownBy(
            () -> CatalogArgs.options(parse("--catalog-type", "jdbc", "--uri", "jdbc:x:y")))
        .hasMessageContaining("option '--warehouse' is required with --catalog-type jdbc");
    assertThatThrownBy(() -> CatalogArgs.options(parse("--catalog-option", "s3.endpoint")))
        .hasMessage(
            "option '--catalog-option' must be KEY=VALUE, e.g. s3.endpoint=http://127.0.0.1:9000;"
                + " got 's3.endpoint'");
    assertThatThrownBy(() -> CatalogArgs.options(parse("--catalog-option", "=x")))
        .hasMessageContaining("must be KEY=VALUE");
  }

  @Test
  void theLocationMasksAPasswordInTheUri() throws Exception {
    ParsedArgs args =
        parse(
            "--catalog-type",
            "jdbc",
            "--uri",
            "jdbc:postgresql://db:5432/iceberg?user=u&password=" + SECRET,
            "--warehouse",
            "file:///tmp/wh");
    assertThat(CatalogArgs.location(args, CatalogArgs.spec(args)))
        .isEqualTo(
            "jdbc catalog at jdbc:postgresql://db:5432/iceberg?user=u&password=***, warehouse"
                + " file:///tmp/wh");
    assertThat(CatalogArgs.hint(args)).isEqualTo("with the same catalog options");
    assertThat(CatalogArgs.hint(parse("--warehouse", "w"))).isEqualTo("--warehouse w");
  }

  @Test
  void aMistypedSecretIsNotEchoed() {
    assertThatThrownBy(
            () -> CatalogArgs.options(parse("--catalog-option", "s3.secret-access-key:" + SECRET)))
        .hasMessageContaining("must be KEY=VALUE")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void confFileErrorsNameTheFileAndTheKey() throws Exception {
    Path missing = dir.resolve("missing.properties");
    assertThatThrownBy(() -> CatalogArgs.options(parse("--catalog-conf", missing.toString())))
        .hasMessage("option '--catalog-conf': file " + missing + " does not exist");
    Path conf = dir.resolve("bad.properties");
    Files.writeString(conf, "s3.endpoint = http://x\n");
    assertThatThrownBy(() -> CatalogArgs.options(parse("--catalog-conf", conf.toString())))
        .hasMessageContaining("unknown key 's3.endpoint' in " + conf)
        .hasMessageContaining("catalog-type")
        .hasMessageContaining("e.g. catalog.s3.endpoint");
    Files.writeString(conf, "catalog-type = Nessie\n");
    assertThatThrownBy(() -> CatalogArgs.options(parse("--catalog-conf", conf.toString())))
        .hasMessage(
            "invalid value 'Nessie' for 'catalog-type' in "
                + conf
                + ". Valid values: hadoop, jdbc, rest, hive");
  }

  @Test
  void theDemoRefusesOtherCatalogs() throws Exception {
    assertThat(CatalogArgs.embeddedWarehouse(parse("--warehouse", "w"), "demo")).isEqualTo("w");
    assertThatThrownBy(
            () ->
                CatalogArgs.embeddedWarehouse(
                    parse("--catalog-type", "rest", "--uri", "http://h"), "demo"))
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
          .contains("--catalog-option KEY=VALUE ...")
          .doesNotContain(SECRET);
      assertThat(run.out()).doesNotContain(SECRET);
    }
    assertThat(CliRun.of("sessions", "--catalog-type", "rest").err())
        .startsWith(
            "psyberg sessions: option '--uri' is required with --catalog-type rest (the REST"
                + " endpoint, e.g. --uri http://127.0.0.1:8181)");
  }
}
