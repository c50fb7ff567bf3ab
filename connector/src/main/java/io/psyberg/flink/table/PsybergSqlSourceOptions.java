package io.psyberg.flink.table;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Options only a SQL source takes: reading a full table restricted to a process's current change
 * range, so a job that joins a session's new rows with other tables reads only the affected range
 * of them.
 */
@PublicEvolving
public final class PsybergSqlSourceOptions {
  private PsybergSqlSourceOptions() {}

  public static final ConfigOption<Boolean> WITHIN_CHANGE_RANGE =
      ConfigOptions.key("within-change-range")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Instead of the process's new snapshots, read the table's current rows whose"
                  + " 'change-range-column' lies within the change range of the process's open"
                  + " session (the one a capture or a running session planned); bounded. For jobs"
                  + " that join a session's new rows with full tables, e.g. with 'overwrite-range'"
                  + " on the target.");
}
