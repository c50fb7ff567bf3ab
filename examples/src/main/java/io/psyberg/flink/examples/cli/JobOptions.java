package io.psyberg.flink.examples.cli;

import io.psyberg.flink.examples.jobs.RunMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine.Option;

/**
 * The options every process job command takes ({@code --process}, {@code --source}, {@code --mode},
 * {@code --interval}, {@code --max-snapshots-per-session}) as one picocli mixin, so {@code signups}
 * and {@code lifecycle} accept and reject the same values with the same messages.
 */
public final class JobOptions {
  /** How often a continuous run looks for new snapshots and checkpoints, unless given. */
  private static final long DEFAULT_INTERVAL_SECONDS = 5;

  private static final Pattern PROCESS_NAME = Pattern.compile("[A-Za-z0-9_.\\-]+");

  @Option(
      names = "--process",
      paramLabel = "P",
      required = true,
      order = 1,
      description = "the process name, e.g. signup_fact_load; runs resume where it stopped")
  private String process;

  @Option(
      names = "--source",
      paramLabel = "NS.T[,NS.T2]",
      required = true,
      order = 2,
      description = "membership event table(s), e.g. membership.events")
  private String source;

  @Option(
      names = "--mode",
      paramLabel = "bounded|continuous",
      defaultValue = "bounded",
      order = 20,
      description =
          "bounded: process what is new since the last run, then stop; continuous: keep"
              + " processing new snapshots until stopped (Ctrl-C) (default: ${DEFAULT-VALUE})")
  private RunMode mode;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      order = 21,
      description =
          "continuous mode: how often to look for new snapshots and to checkpoint (default: "
              + DEFAULT_INTERVAL_SECONDS
              + ")")
  @Nullable
  private Long interval;

  @Option(
      names = "--max-snapshots-per-session",
      paramLabel = "N",
      order = 22,
      description =
          "catch up in steps: at most N new snapshots per source table in one session; a bounded"
              + " run processes a larger backlog as consecutive sessions, each audited and"
              + " published (default: no cap)")
  @Nullable
  private Integer maxSnapshotsPerSession;

  /** The process name, checked: letters, digits, {@code _}, {@code -} or {@code .}. */
  public String process() throws UsageException {
    String name = process.trim();
    if (!PROCESS_NAME.matcher(name).matches()) {
      throw new UsageException(
          "option '--process' must be letters, digits, '_', '-' or '.', e.g. signup_fact_load;"
              + " got '"
              + name
              + "'");
    }
    return name;
  }

  /** The source tables, at least one, none twice. */
  public List<TableIdentifier> sources() throws UsageException {
    return TableNames.parseList("source", source);
  }

  public RunMode mode() {
    return mode;
  }

  public boolean continuous() {
    return mode == RunMode.CONTINUOUS;
  }

  /** The continuous run's interval; given with a bounded run, it is a usage error. */
  public Duration interval() throws UsageException {
    if (interval != null && !continuous()) {
      throw new UsageException(
          "option '--interval' applies to --mode continuous only (a bounded run reads one session"
              + " and stops)");
    }
    long seconds = interval != null ? interval : DEFAULT_INTERVAL_SECONDS;
    if (seconds < 1 || seconds > 3600) {
      throw new UsageException(
          "option '--interval' must be between 1 and 3600 seconds, got " + seconds);
    }
    return Duration.ofSeconds(seconds);
  }

  /** The cap on new snapshots per source table in one session, at least 1; 0 when not given. */
  public int maxSnapshotsPerSession() throws UsageException {
    if (maxSnapshotsPerSession == null) {
      return 0;
    }
    if (maxSnapshotsPerSession < 1) {
      throw new UsageException(
          "option '--max-snapshots-per-session' must be 1 or more, got "
              + maxSnapshotsPerSession
              + " (leave it out for no cap)");
    }
    return maxSnapshotsPerSession;
  }

  /**
   * Checks that no target is a source or another target, and that no table is in psyberg's own
   * metadata namespace, where a job's output would mix with the session log.
   *
   * @param targets each target by its option's name (without dashes), in the command's order
   */
  public void checkTables(String metadataNamespace, Map<String, TableIdentifier> targets)
      throws UsageException {
    List<TableIdentifier> sources = sources();
    Map<TableIdentifier, String> seen = new HashMap<>();
    for (Map.Entry<String, TableIdentifier> target : targets.entrySet()) {
      TableIdentifier id = target.getValue();
      if (sources.contains(id)) {
        throw new UsageException(
            "option '--"
                + target.getKey()
                + "' names "
                + id
                + ", which is also a --source; write the output to another table");
      }
      String other = seen.putIfAbsent(id, target.getKey());
      if (other != null) {
        throw new UsageException(
            "options '--"
                + other
                + "' and '--"
                + target.getKey()
                + "' both name "
                + id
                + "; each output needs its own table");
      }
    }
    List<TableIdentifier> all = new ArrayList<>(sources);
    all.addAll(targets.values());
    for (TableIdentifier id : all) {
      if (id.namespace().levels().length == 1
          && id.namespace().level(0).equals(metadataNamespace)) {
        throw new UsageException(
            "table "
                + id
                + " is in namespace '"
                + metadataNamespace
                + "', which holds psyberg's own"
                + " session log and high watermarks; use another namespace");
      }
    }
  }
}
