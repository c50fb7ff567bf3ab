package io.psyberg.flink.examples.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a SQL script into statements on {@code ;}, like Flink's SQL client: semicolons inside
 * string literals ({@code '...'}, {@code "..."}), quoted identifiers ({@code `...`}), line comments
 * ({@code -- ...}) and block comments or hints ({@code /* ... *}{@code /}) do not split. {@code
 * EXECUTE STATEMENT SET BEGIN ...; ...; END} stays one statement.
 */
public final class SqlScript {

  private SqlScript() {}

  /** The statements of {@code script}, in order; empty statements are dropped. */
  public static List<SqlStatement> split(String script) throws SqlScriptException {
    List<SqlStatement> pieces = splitOnSemicolons(script);
    return joinStatementSets(pieces);
  }

  private static List<SqlStatement> splitOnSemicolons(String s) throws SqlScriptException {
    List<SqlStatement> out = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    StringBuilder code = new StringBuilder();
    int line = 1;
    int startLine = -1;
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      char next = i + 1 < s.length() ? s.charAt(i + 1) : '\0';
      if (c == '-' && next == '-') {
        int end = s.indexOf('\n', i);
        end = end < 0 ? s.length() : end;
        text.append(s, i, end);
        code.append(' ');
        i = end;
      } else if (c == '/' && next == '*') {
        int end = s.indexOf("*/", i + 2);
        if (end < 0) {
          throw new SqlScriptException("comment opened with /* on line " + line + " is not closed");
        }
        String comment = s.substring(i, end + 2);
        text.append(comment);
        if (comment.startsWith("/*+")) {
          // A hint belongs to the statement.
          startLine = startLine < 0 ? line : startLine;
          code.append(comment);
        } else {
          code.append(' ');
        }
        line += count(comment, '\n');
        i = end + 2;
      } else if (c == '\'' || c == '"' || c == '`') {
        int end = closingQuote(s, i, c);
        if (end < 0) {
          throw new SqlScriptException("quote " + c + " opened on line " + line + " is not closed");
        }
        String quoted = s.substring(i, end + 1);
        startLine = startLine < 0 ? line : startLine;
        text.append(quoted);
        code.append(quoted);
        line += count(quoted, '\n');
        i = end + 1;
      } else if (c == ';') {
        add(out, text, code, startLine);
        text.setLength(0);
        code.setLength(0);
        startLine = -1;
        i++;
      } else {
        if (c == '\n') {
          line++;
        } else if (!Character.isWhitespace(c) && startLine < 0) {
          startLine = line;
        }
        text.append(c);
        code.append(c);
        i++;
      }
    }
    add(out, text, code, startLine);
    return out;
  }

  /** The index of the quote closing the one at {@code start}; a doubled quote is an escape. */
  private static int closingQuote(String s, int start, char quote) {
    int i = start + 1;
    while (i < s.length()) {
      if (s.charAt(i) == quote) {
        if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i;
      }
      i++;
    }
    return -1;
  }

  private static void add(
      List<SqlStatement> out, StringBuilder text, StringBuilder code, int line) {
    String normalized = code.toString().strip().replaceAll("\\s+", " ");
    if (!normalized.isEmpty()) {
      out.add(new SqlStatement(text.toString().strip(), normalized, line));
    }
  }

  /** Glues {@code EXECUTE STATEMENT SET BEGIN a; b; END} back into one statement. */
  private static List<SqlStatement> joinStatementSets(List<SqlStatement> pieces)
      throws SqlScriptException {
    List<SqlStatement> out = new ArrayList<>();
    for (int i = 0; i < pieces.size(); i++) {
      SqlStatement p = pieces.get(i);
      if (!upper(p.code()).startsWith("EXECUTE STATEMENT SET BEGIN")) {
        out.add(p);
        continue;
      }
      StringBuilder text = new StringBuilder(p.text());
      StringBuilder code = new StringBuilder(p.code());
      boolean closed = false;
      while (!closed && ++i < pieces.size()) {
        SqlStatement q = pieces.get(i);
        text.append(";\n").append(q.text());
        code.append("; ").append(q.code());
        closed = upper(q.code()).equals("END");
      }
      if (!closed) {
        throw new SqlScriptException(
            "EXECUTE STATEMENT SET BEGIN on line " + p.line() + " has no matching END");
      }
      out.add(new SqlStatement(text.toString(), code.toString(), p.line()));
    }
    return out;
  }

  private static String upper(String s) {
    return s.toUpperCase(Locale.ROOT);
  }

  private static int count(String s, char c) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == c) {
        n++;
      }
    }
    return n;
  }
}
