package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.examples.cli.Command;
import io.psyberg.flink.examples.cli.OptionSpec;
import io.psyberg.flink.examples.cli.ParsedArgs;
import java.io.PrintStream;
import java.util.List;
import javax.annotation.Nullable;

/** One {@code backfill} subcommand, bound to its positional backfill id (if it takes one). */
final class BackfillSubcommand implements Command {

  /** What the subcommand does. */
  interface Action {
    int run(ParsedArgs args, @Nullable String id, PrintStream out, PrintStream err)
        throws Exception;
  }

  private final String name;
  private final String summary;
  private final String synopsis;
  private final List<OptionSpec> options;
  private final Action action;
  @Nullable private final String id;

  BackfillSubcommand(
      String name, String summary, String synopsis, List<OptionSpec> options, Action action) {
    this(name, summary, synopsis, options, action, null);
  }

  private BackfillSubcommand(
      String name,
      String summary,
      String synopsis,
      List<OptionSpec> options,
      Action action,
      @Nullable String id) {
    this.name = name;
    this.summary = summary;
    this.synopsis = synopsis;
    this.options = options;
    this.action = action;
    this.id = id;
  }

  BackfillSubcommand withId(@Nullable String backfillId) {
    return new BackfillSubcommand(name, summary, synopsis, options, action, backfillId);
  }

  boolean takesId() {
    return synopsis.contains("ID");
  }

  @Override
  public String name() {
    return "backfill " + name;
  }

  String shortName() {
    return name;
  }

  @Override
  public String summary() {
    return summary;
  }

  @Override
  public String synopsis() {
    return synopsis;
  }

  @Override
  public List<OptionSpec> options() {
    return options;
  }

  @Override
  public int execute(ParsedArgs args, PrintStream out, PrintStream err) throws Exception {
    return action.run(args, id, out, err);
  }
}
