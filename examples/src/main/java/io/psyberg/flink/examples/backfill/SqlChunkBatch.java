package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.examples.sql.SqlSession;
import io.psyberg.flink.examples.sql.SqlStatement;
import java.util.ArrayList;
import java.util.List;

/**
 * The Flink job of some chunks of a SQL backfill, planned and not run yet: its writers, the SQL
 * sessions they were planned in (open until the job ran) and the script's INSERT statements.
 * Planned at start as the check of the script, the first job runs as planned.
 */
final class SqlChunkBatch implements AutoCloseable {
  private final List<BackfillRange> chunks;
  private final SqlChunkFiles files;
  private final SqlChunkJob job = new SqlChunkJob();
  private final List<SqlSession> sessions = new ArrayList<>();
  private final List<SqlStatement> inserts = new ArrayList<>();

  SqlChunkBatch(List<BackfillRange> chunks, SqlChunkFiles files) {
    this.chunks = List.copyOf(chunks);
    this.files = files;
  }

  List<BackfillRange> chunks() {
    return chunks;
  }

  SqlChunkFiles files() {
    return files;
  }

  SqlChunkJob job() {
    return job;
  }

  List<SqlSession> sessions() {
    return sessions;
  }

  List<SqlStatement> inserts() {
    return inserts;
  }

  @Override
  public void close() {
    for (SqlSession session : sessions) {
      try {
        session.close();
      } catch (Exception e) {
        // the session's job has ended or never ran; nothing of it is left to release
      }
    }
    sessions.clear();
  }
}
