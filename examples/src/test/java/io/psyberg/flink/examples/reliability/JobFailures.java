package io.psyberg.flink.examples.reliability;

import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.runtime.rest.messages.EmptyRequestBody;
import org.apache.flink.runtime.rest.messages.JobExceptionsHeaders;
import org.apache.flink.runtime.rest.messages.JobExceptionsInfoWithHistory;
import org.apache.flink.runtime.rest.messages.JobExceptionsInfoWithHistory.RootExceptionInfo;
import org.apache.flink.runtime.rest.messages.job.JobExceptionsMessageParameters;

/**
 * The failures a job restarted from that no injected fault explains, read from its exception
 * history: when a continuous job under faults does not converge, they say why.
 */
final class JobFailures {
  private JobFailures() {}

  static String unexplained(RestClusterClient<?> client, JobID job) {
    try {
      JobExceptionsMessageParameters params = new JobExceptionsMessageParameters();
      params.jobPathParameter.resolve(job);
      JobExceptionsInfoWithHistory info =
          client
              .sendRequest(
                  JobExceptionsHeaders.getInstance(), params, EmptyRequestBody.getInstance())
              .get();
      List<RootExceptionInfo> entries = info.getExceptionHistory().getEntries();
      StringBuilder sb = new StringBuilder();
      int restarts = 0;
      for (RootExceptionInfo e : entries) {
        restarts++;
        String trace = e.getStacktrace();
        if (trace != null && !trace.contains("injected fault")) {
          sb.append("\n  ").append(e.getTaskName()).append(": ").append(head(trace));
        }
      }
      return String.format(
          "%d failures in the job's exception history%s, not injected:%s",
          restarts, info.getExceptionHistory().isTruncated() ? " (truncated)" : "", sb);
    } catch (Exception e) {
      return "job exception history unavailable: " + e;
    }
  }

  /** The first lines of a stack trace, enough to name the failure and where it was thrown. */
  private static String head(String trace) {
    String[] lines = trace.split("\n");
    StringBuilder sb = new StringBuilder(lines[0]);
    for (int i = 1; i < Math.min(lines.length, 6); i++) {
      sb.append("\n      ").append(lines[i].trim());
    }
    int cause = trace.indexOf("Caused by:");
    if (cause >= 0) {
      sb.append("\n      ")
          .append(
              trace,
              cause,
              trace.indexOf('\n', cause) < 0 ? trace.length() : trace.indexOf('\n', cause));
    }
    return sb.toString();
  }
}
