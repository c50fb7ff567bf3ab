package io.psyberg.flink.source.enumerator;

import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a failover, sessions a continuous job planned after the checkpoint it restored from are
 * gone from the enumerator's state, but their rows in the session log (and read-through marks of
 * checkpoints that never completed) remain. Their rows are read again under a new session; the old
 * ones are marked ABORTED before anything runs, so the sink never publishes one of them with the
 * committables of another attempt.
 */
final class RolledBackSessions {
  private static final Logger LOG = LoggerFactory.getLogger(RolledBackSessions.class);

  private RolledBackSessions() {}

  static void abort(
      SessionLog log,
      String processName,
      String jobId,
      long restoredCheckpoint,
      @Nullable String inFlightSessionId) {
    for (Session s : log.sessionsOfJob(processName, jobId)) {
      boolean handedToSink =
          s.readThroughCheckpoint() != null && s.readThroughCheckpoint() <= restoredCheckpoint;
      if (jobId.equals(s.jobId())
          && s.status().isOpen()
          && !handedToSink
          && !s.sessionId().equals(inFlightSessionId)) {
        LOG.info(
            "Process {}: session {} was planned after checkpoint {}, which this job restored from;"
                + " marking it ABORTED (its snapshots are read again in a new session).",
            processName,
            s.sessionId(),
            restoredCheckpoint);
        log.record(s.withStatus(SessionStatus.ABORTED));
      }
    }
  }
}
