package io.psyberg.flink.examples.sql;

/**
 * One statement of a script.
 *
 * @param text the statement as written (comments kept, no trailing semicolon)
 * @param code the statement without comments and with whitespace runs collapsed, for keyword checks
 * @param line the 1-based line of the script where the statement starts
 */
public record SqlStatement(String text, String code, int line) {

  /** The statement on one line, shortened for error messages. */
  public String abbreviated() {
    return code.length() > 100 ? code.substring(0, 97) + "..." : code;
  }
}
