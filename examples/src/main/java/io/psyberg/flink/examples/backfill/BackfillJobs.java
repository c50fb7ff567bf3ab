package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.cli.UsageException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.Catalog;

/** The jobs a backfill can run, and which of a process's targets each one writes. */
final class BackfillJobs {
  static final String SIGNUPS = "signups";
  static final String LIFECYCLE = "lifecycle";
  static final String SQL = "sql";

  private BackfillJobs() {}

  /** The values of {@code --job}, for shell completion. */
  static final class Names extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    Names() {
      super(List.of(SIGNUPS, LIFECYCLE, SQL));
    }
  }

  /**
   * @throws UsageException for a job that does not exist
   */
  static String check(String job) throws UsageException {
    if (!job.equals(SIGNUPS) && !job.equals(LIFECYCLE) && !job.equals(SQL)) {
      throw new UsageException(
          "option '--job' has the bad value '"
              + job
              + "': valid values are signups, lifecycle, sql");
    }
    return job;
  }

  /**
   * The targets of {@code process} that {@code job} writes, in the job's order (lifecycle first,
   * anomalies second).
   */
  static List<ProcessTargets.Target> targetsOf(
      String job, String process, List<ProcessTargets.Target> targets) throws CommandException {
    if (job.equals(SQL)) {
      // the script says what it writes; it is checked to write every target
      return targets;
    }
    List<ProcessTargets.Target> main = new ArrayList<>();
    List<ProcessTargets.Target> extra = new ArrayList<>();
    for (ProcessTargets.Target t : targets) {
      Schema schema = t.table().schema();
      if (job.equals(SIGNUPS) && schema.findField("signup_date") != null) {
        main.add(t);
      } else if (job.equals(LIFECYCLE) && schema.findField("segment_no") != null) {
        main.add(t);
      } else if (job.equals(LIFECYCLE) && schema.findField("reason") != null) {
        extra.add(t);
      }
    }
    if (main.size() != 1 || extra.size() > 1) {
      throw new CommandException(
          String.format(
              "process %s does not publish the targets of the %s job: found %s. Check --process"
                  + " and --job (the signups job writes one signup fact table, the lifecycle job"
                  + " an account_lifecycle table and at most one anomalies table).",
              process, job, targets.stream().map(ProcessTargets.Target::name).toList()));
    }
    main.addAll(extra);
    return main;
  }

  /** The job of a recorded backfill, over its fixed source snapshots. */
  static BackfillJob open(Catalog catalog, Backfill b) {
    BackfillRange range = new BackfillRange(b.rangeFrom(), b.rangeTo());
    List<String> targets = b.targetTables();
    if (b.job().equals(LIFECYCLE)) {
      return new LifecycleBackfill(
          catalog,
          b.sourceSnapshots(),
          targets.get(0),
          targets.size() > 1 ? targets.get(1) : null,
          range,
          b.maxSnapshotsPerSession());
    }
    return new SignupsBackfill(
        catalog,
        b.sourceSnapshots(),
        targets.get(0),
        range,
        b.maxSnapshotsPerSession(),
        SignupsBackfill.FACTS);
  }
}
