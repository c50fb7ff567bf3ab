package io.psyberg.flink.examples.sessions;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the {@code audit_results} of a session (a JSON array of {@code name, passed, observed,
 * expected, severity}) and summarizes it in a few words.
 */
public final class AuditOutcomes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditOutcomes() {}

  /**
   * The audits in {@code json}; empty for null or blank (no audit ran, e.g. an EMPTY session).
   *
   * @throws IllegalArgumentException when the text is not such a JSON array
   */
  public static List<AuditOutcome> parse(@Nullable String json) {
    List<AuditOutcome> out = new ArrayList<>();
    if (json == null || json.isBlank()) {
      return out;
    }
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("audit results are not JSON: " + e.getOriginalMessage());
    }
    if (!root.isArray()) {
      throw new IllegalArgumentException("audit results are not a JSON array: " + json);
    }
    for (JsonNode n : root) {
      out.add(
          new AuditOutcome(
              text(n, "name", "?"),
              n.path("passed").asBoolean(false),
              text(n, "observed", ""),
              text(n, "expected", ""),
              text(n, "severity", "error")));
    }
    return out;
  }

  /**
   * A few words for a table cell: {@code -} when no audit ran, {@code 2/2 passed}, or e.g. {@code
   * 1/2 passed, failed: row-count} (warn-severity failures marked {@code (warn)}). Text that is not
   * audit JSON is shown as {@code unreadable}.
   */
  public static String summary(@Nullable String json) {
    List<AuditOutcome> audits;
    try {
      audits = parse(json);
    } catch (IllegalArgumentException e) {
      return "unreadable";
    }
    if (audits.isEmpty()) {
      return "-";
    }
    long passed = audits.stream().filter(AuditOutcome::passed).count();
    String text = passed + "/" + audits.size() + " passed";
    if (passed == audits.size()) {
      return text;
    }
    return text
        + ", failed: "
        + audits.stream()
            .filter(a -> !a.passed())
            .map(a -> a.blocked() ? a.name() : a.name() + " (warn)")
            .collect(Collectors.joining(", "));
  }

  private static String text(JsonNode n, String field, String absent) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? absent : v.asText();
  }
}
