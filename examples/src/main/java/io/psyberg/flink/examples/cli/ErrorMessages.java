package io.psyberg.flink.examples.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
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
          "org.apache.flink.runtime.client.JobExecutionException: Job execution failed.",
          "Recovery is suppressed by NoRestartBackoffTimeStrategy");

  private static final int MAX_ROOT_LINES = 20;

  private ErrorMessages() {}

  /** At most two lines: the first meaningful message and, if it differs, the root cause. */
  public static String describe(Throwable error) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = error; t != null && !chain.contains(t); t = t.getCause()) {
      chain.add(t);
    }
    Throwable root = chain.get(chain.size() - 1);
    String rootText = text(root);
    Set<String> lines = new LinkedHashSet<>();
    for (Throwable t : chain) {
      String first = firstLine(t.getMessage());
      if (t != root && first != null && !isGeneric(first) && !rootText.contains(first)
          && !first.contains(rootText)) {
        lines.add(first);
        break;
      }
    }
    lines.add(rootText);
    return String.join("\n  caused by: ", lines);
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
