package io.psyberg.flink.sink.audit;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;

/**
 * A simple predicate on one string column of the source rows, written {@code col = 'value'} or
 * {@code col IN ('a', 'b')}: which source rows a 1:1 transform keeps, for row-count reconciliation.
 */
@PublicEvolving
public final class SourceFilter implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Pattern EQ = Pattern.compile("^\\s*(\\w+)\\s*=\\s*'([^']*)'\\s*$");
  private static final Pattern IN = Pattern.compile("^\\s*(\\w+)\\s+(?i:in)\\s*\\((.*)\\)\\s*$");
  private static final Pattern LITERAL = Pattern.compile("'([^']*)'");

  /** The accepted forms, for error messages. */
  public static final String FORMS =
      "Use column = 'value' or column IN ('a', 'b'), e.g. event_type = 'SIGNUP'";

  private final String column;
  private final List<String> values;

  private SourceFilter(String column, List<String> values) {
    this.column = column;
    this.values = List.copyOf(values);
  }

  /** Parses the filter; the message names the option and shows the accepted forms. */
  public static SourceFilter parse(String text, String option) {
    Matcher eq = EQ.matcher(text == null ? "" : text);
    if (eq.matches()) {
      return new SourceFilter(eq.group(1), List.of(eq.group(2)));
    }
    Matcher in = IN.matcher(text == null ? "" : text);
    if (in.matches()) {
      List<String> values = new ArrayList<>();
      Matcher lit = LITERAL.matcher(in.group(2));
      while (lit.find()) {
        values.add(lit.group(1));
      }
      if (!values.isEmpty()) {
        return new SourceFilter(in.group(1), values);
      }
    }
    throw new IllegalArgumentException(
        "Invalid value '" + text + "' for option '" + option + "'. " + FORMS + ".");
  }

  public String column() {
    return column;
  }

  /** The values a matching row's column holds one of. */
  List<String> values() {
    return values;
  }

  Expression expression() {
    return values.size() == 1
        ? Expressions.equal(column, values.get(0))
        : Expressions.in(column, values.toArray());
  }

  boolean matches(Record r) {
    Object v = r.getField(column);
    return v != null && values.contains(v.toString());
  }

  @Override
  public String toString() {
    return values.size() == 1 ? column + " = '" + values.get(0) + "'" : column + " IN " + values;
  }
}
