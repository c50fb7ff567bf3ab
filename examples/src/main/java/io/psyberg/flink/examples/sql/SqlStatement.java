package io.psyberg.flink.examples.sql;

/**
 * One statement of a script.
 *
 * @param text the statement as written (comments kept, no trailing semicolon)
 * @param code the statement without comments and with whitespace runs collapsed, for keyword checks
 * @param line the 1-based line of the script where the statement starts
 */
public record SqlStatement(String text, String code, int line) {

  /** The first line of the statement, shortened for error messages. */
  public String abbreviated() {
    String oneLine = code.length() > 100 ? code.substring(0, 97) + "..." : code;
    return oneLine;
  }
}
