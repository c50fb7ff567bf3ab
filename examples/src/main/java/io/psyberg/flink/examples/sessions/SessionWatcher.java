package io.psyberg.flink.examples.sessions;

import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.JobID;

/**
 * Follows the sessions one running job of a process records: each call of {@link #poll} returns the
 * sessions that finished since the last call. It reads that job's rows of the session log only, so
 * a poll costs the same however many sessions the process ran before. Not thread-safe: one thread
 * polls.
 */
public final class SessionWatcher {
  private final SessionLog log;
  private final String process;
  private final String jobId;
  private final Set<String> reported = new HashSet<>();

  public SessionWatcher(SessionLog log, String process, JobID job) {
    this.log = log;
    this.process = process;
    this.jobId = job.toString();
  }

  /** Sessions of the job, finished or not, oldest first. */
  public List<Session> sessionsOfThisRun() {
    return log.sessionsOfJob(process, jobId);
  }

  /** Sessions of the job that finished since the last poll, oldest first. */
  public List<Session> poll() {
    List<Session> out = new ArrayList<>();
    for (Session s : sessionsOfThisRun()) {
      if (s.status().isFinal() && reported.add(s.sessionId())) {
        out.add(s);
      }
    }
    return out;
  }
}
