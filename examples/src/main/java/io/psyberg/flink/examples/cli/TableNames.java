package io.psyberg.flink.examples.cli;

import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Parses table names given as options: {@code NAMESPACE.TABLE}, or a comma-separated list of them.
 */
public final class TableNames {

  private TableNames() {}

  /** One {@code NAMESPACE.TABLE}; the message names the option and shows an example. */
  public static TableIdentifier parse(String option, String name) throws UsageException {
    String trimmed = name == null ? "" : name.trim();
    String[] parts = trimmed.split("\\.", -1);
    boolean valid = parts.length >= 2;
    for (String p : parts) {
      valid &= !p.isBlank();
    }
    if (!valid) {
      throw new UsageException(
          "option '--"
              + option
              + "' must be NAMESPACE.TABLE (e.g. membership.events), got '"
              + name
              + "'");
    }
    return TableIdentifier.of(parts);
  }

  /** {@code NS.T[,NS.T2...]}: at least one table, none named twice. */
  public static List<TableIdentifier> parseList(String option, String names) throws UsageException {
    List<TableIdentifier> ids = new ArrayList<>();
    for (String name : names.split(",", -1)) {
      TableIdentifier id = parse(option, name);
      if (ids.contains(id)) {
        throw new UsageException("option '--" + option + "' names table " + id + " twice");
      }
      ids.add(id);
    }
    return ids;
  }
}
