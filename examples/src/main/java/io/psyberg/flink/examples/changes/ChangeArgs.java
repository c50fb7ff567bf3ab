package io.psyberg.flink.examples.changes;

import io.psyberg.flink.changes.ChangeSettings;
import io.psyberg.flink.examples.cli.CatalogArgs;
import io.psyberg.flink.examples.cli.OptionSpec;
import io.psyberg.flink.examples.cli.ParsedArgs;
import io.psyberg.flink.examples.cli.TableNames;
import io.psyberg.flink.examples.cli.UsageException;
import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.StartFrom;
import java.util.List;
import java.util.Locale;

/** The options {@code capture} and {@code pending} share: how the next session is planned. */
final class ChangeArgs {
  static final List<OptionSpec> PLANNING =
      List.of(
          OptionSpec.value("process", "P", "the process name"),
          OptionSpec.value("source", "NS.T", "the source table"),
          OptionSpec.value(
              "change-range-column", "COL", "column whose min/max is the session's change range"),
          OptionSpec.value(
              "max-snapshots-per-session",
              "N",
              "catch-up threshold: at most N new snapshots per session (0: no cap)",
              "0"),
          OptionSpec.value(
              "non-append-snapshots",
              "fail|skip",
              "overwrite or delete snapshots in a range",
              "fail"),
          OptionSpec.value(
              "start-from",
              "WHERE",
              "first run: earliest | latest | snapshot:<id> | timestamp:<ISO-8601>",
              "earliest"),
          OptionSpec.value(
              "target", "NS.T", "a target of the process, where its high watermark is read first"));

  static final OptionSpec FORMAT =
      OptionSpec.value("format", "table|json", "output format", "table");

  private ChangeArgs() {}

  static ChangeSettings settings(ParsedArgs args) throws UsageException {
    String source = args.required("source");
    TableNames.parse("source", source);
    ChangeSettings.Builder b =
        ChangeSettings.builder()
            .catalog(CatalogArgs.spec(args))
            .processName(args.required("process"))
            .sourceTable(source)
            .changeRangeColumn(args.get("change-range-column").orElse(null))
            .maxSnapshotsPerSession((int) args.requiredLong("max-snapshots-per-session", 0))
            .nonAppendSnapshots(nonAppend(args.required("non-append-snapshots")))
            .startFrom(startFrom(args.required("start-from")));
    if (args.has("target")) {
      TableNames.parse("target", args.required("target"));
      b.targetTable(args.required("target"));
    }
    return b.build();
  }

  static boolean json(ParsedArgs args) throws UsageException {
    String format = args.required("format");
    if (!format.equals("table") && !format.equals("json")) {
      throw new UsageException("--format must be table or json, not '" + format + "'");
    }
    return format.equals("json");
  }

  private static NonAppendSnapshots nonAppend(String value) throws UsageException {
    // A change table references new data files; changes (changelog) are for jobs' sources.
    for (NonAppendSnapshots p : List.of(NonAppendSnapshots.FAIL, NonAppendSnapshots.SKIP)) {
      if (p.toString().equals(value.toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new UsageException("--non-append-snapshots must be fail or skip, not '" + value + "'");
  }

  private static StartFrom startFrom(String value) throws UsageException {
    try {
      return StartFrom.parse(value);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--start-from: " + e.getMessage());
    }
  }
}
