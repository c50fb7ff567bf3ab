package io.psyberg.flink.examples.sql;

/** A script that cannot be split into statements, e.g. an unclosed quote or comment. */
public final class SqlScriptException extends Exception {
  private static final long serialVersionUID = 1L;

  public SqlScriptException(String message) {
    super(message);
  }
}
