package io.psyberg.flink.examples.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns an exception chain into a short message for users: the outermost message that says
 * something, and the root cause, each once; never a stack trace.
 */
public final class ErrorMessages {

  /** Messages of wrappers that add nothing for users. */
  private static final Set<String> GENERIC =
      Set.of(
          "Job execution failed.",
          "Failed to execute sql",
          "Failed to fetch next result",
          "Failed to fetch job execution result",
          "Failed to wait job finish",
          "org.apache.flink.runtime.client.JobExecutionException: Job execution failed.",
          "Recovery is suppressed by NoRestartBackoffTimeStrategy");

  private static final int MAX_ROOT_LINES = 60;

  private ErrorMessages() {}

  /**
   * The first meaningful message and, unless it already says the same, the root cause (whose later
   * lines are kept: they often list valid choices).
   */
  public static String describe(Throwable error) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = error; t != null && !chain.contains(t); t = t.getCause()) {
      chain.add(t);
    }
    Throwable root = chain.get(chain.size() - 1);
    String rootFirst = firstLine(root.getMessage());
    String outer = null;
    for (Throwable t : chain.subList(0, chain.size() - 1)) {
      String first = firstLine(t.getMessage());
      if (first != null && !isGeneric(first)) {
        outer = first;
        break;
      }
    }
    String rootText = text(root);
    if (outer == null || (rootFirst != null && rootFirst.contains(outer))) {
      return rootText;
    }
    if (rootFirst != null && outer.contains(rootFirst)) {
      // The outer message says it with more context (e.g. the position in the statement).
      int nl = rootText.indexOf('\n');
      return nl < 0 ? outer : outer + rootText.substring(nl);
    }
    return outer + "\n  caused by: " + rootText;
  }

  /**
   * A hint to append to errors when the JVM is not one Flink 1.18 supports (Hadoop fails on newer
   * JDKs with "getSubject is not supported"); empty on Java 11 and 17.
   */
  public static String javaVersionHint() {
    int version = Runtime.version().feature();
    if (version == 11 || version == 17) {
      return "";
    }
    return "\n  hint: psyberg-examples runs on Java 17 (Flink 1.18 and Hadoop fail on newer JDKs);"
        + " this is Java "
        + version
        + ".";
  }

  private static boolean isGeneric(String message) {
    if (GENERIC.contains(message)) {
      return true;
    }
    // "java.lang.RuntimeException: ..." style messages just repeat their cause.
    return message.matches("^[a-z][\\w.$]*\\.[A-Z]\\w*(Exception|Error)(: .*)?$");
  }

  /** The root cause in full (it often lists valid choices on later lines), capped in length. */
  private static String text(Throwable t) {
    String type = t.getClass().getSimpleName();
    if (t.getMessage() == null || t.getMessage().isBlank()) {
      return type;
    }
    List<String> lines =
        t.getMessage().strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    StringBuilder sb = new StringBuilder(type).append(": ").append(lines.get(0));
    int shown = Math.min(lines.size(), MAX_ROOT_LINES);
    for (int i = 1; i < shown; i++) {
      sb.append("\n    ").append(lines.get(i));
    }
    if (lines.size() > shown) {
      sb.append("\n    ... (").append(lines.size() - shown).append(" more lines)");
    }
    return sb.toString();
  }

  private static String firstLine(String message) {
    if (message == null || message.isBlank()) {
      return null;
    }
    String m = message.strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl).strip();
  }
}
