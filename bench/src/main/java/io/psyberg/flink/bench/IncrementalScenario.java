package io.psyberg.flink.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One history the incremental benchmark measures: {@code days} daily snapshots of {@code
 * historyBatch} rows, then one new snapshot of {@code newRows} rows. A psyberg-only scenario has no
 * full recompute (a history too large for one on this machine); its first load runs as consecutive
 * bounded sessions of {@code sessionDays} days each (0: one session).
 */
record IncrementalScenario(
    int newRows, int historyBatch, int days, boolean psybergOnly, int sessionDays) {

  /**
   * A scenario with a full recompute: {@code days} days of {@code batch} rows, {@code batch} new.
   */
  static IncrementalScenario of(int batch, int days) {
    return new IncrementalScenario(batch, batch, days, false, 0);
  }

  long historyRows() {
    return (long) historyBatch * days;
  }

  /**
   * The same new snapshot over a history ten times larger (ten times the rows per day, as many
   * snapshots), psyberg only, its first load in sessions of {@code sessionDays} days.
   */
  IncrementalScenario scaled(int sessionDays) {
    return new IncrementalScenario(newRows, historyBatch * 10, days, true, sessionDays);
  }

  /** {@code NEWxDAYS}, or {@code NEWxDAYS@HISTORY_BATCH} when the history's days differ. */
  String label() {
    return newRows
        + "x"
        + days
        + (historyBatch == newRows ? "" : "@" + historyBatch)
        + (psybergOnly ? " (psyberg only)" : "");
  }

  /** A namespace of its own in the warehouse. */
  String namespace() {
    return "inc_" + newRows + "x" + days + (historyBatch == newRows ? "" : "_h" + historyBatch);
  }

  /** The new rows as a share of the history, e.g. {@code 0.1%}. */
  String share() {
    double percent = 100.0 * newRows / historyRows();
    return String.format(
        Locale.ROOT, percent < 0.1 ? "%.2f%%" : percent < 1 ? "%.1f%%" : "%.0f%%", percent);
  }

  /**
   * Parses {@code BATCHxDAYS[,BATCHxDAYS..]}: each a history of DAYS snapshots of {@code
   * historyBatch} rows (0: BATCH rows) and a new snapshot of BATCH rows.
   */
  static List<IncrementalScenario> parse(String text, int historyBatch) {
    List<IncrementalScenario> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String[] sides = part.trim().replace("_", "").toLowerCase(Locale.ROOT).split("x");
      int batch = sides.length == 2 ? number(sides[0]) : 0;
      int days = sides.length == 2 ? number(sides[1]) : 0;
      if (batch < 1 || days < 1) {
        throw new IllegalArgumentException(
            "Option --scenarios takes BATCHxDAYS[,BATCHxDAYS..] with positive whole numbers (new"
                + " rows x days of history), e.g. 2000x100,2000x1000; got '"
                + part.trim()
                + "'.");
      }
      IncrementalScenario s =
          new IncrementalScenario(batch, historyBatch > 0 ? historyBatch : batch, days, false, 0);
      if (out.contains(s)) {
        throw new IllegalArgumentException(
            "Option --scenarios names " + s.label() + " twice; give each scenario once.");
      }
      out.add(s);
    }
    return out;
  }

  private static int number(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
