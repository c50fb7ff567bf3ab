package io.psyberg.flink.examples.sessions;

import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Follows the session log of one process while a job runs: each call of {@link #poll} returns the
 * sessions that finished since the last call (sessions that existed before the run are ignored).
 * Not thread-safe: one thread polls.
 */
public final class SessionWatcher {
  private final SessionLog log;
  private final String process;
  private final Set<String> before;
  private final Set<String> reported = new HashSet<>();

  /** Starts watching: the process's sessions recorded so far are not this run's. */
  public SessionWatcher(SessionLog log, String process) {
    this.log = log;
    this.process = process;
    this.before = new HashSet<>();
    log.sessions(process).forEach(s -> before.add(s.sessionId()));
  }

  /** Sessions of this run, finished or not, oldest first. */
  public List<Session> sessionsOfThisRun() {
    List<Session> out = new ArrayList<>();
    for (Session s : log.sessions(process)) {
      if (!before.contains(s.sessionId())) {
        out.add(s);
      }
    }
    return out;
  }

  /** Sessions of this run that finished since the last poll, oldest first. */
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
