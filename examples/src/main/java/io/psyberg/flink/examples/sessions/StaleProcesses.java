package io.psyberg.flink.examples.sessions;

import io.psyberg.flink.examples.sql.ResultTable;
import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.iceberg.catalog.Catalog;

/**
 * {@code sessions --stale}: the processes with no session for a while, and the refs psyberg still
 * keeps for them (candidates for {@code drop-process}).
 */
final class StaleProcesses {
  private StaleProcesses() {}

  static ResultTable of(
      Catalog catalog, SessionLog log, HighWatermarkMirror mirror, Duration idle, Instant now) {
    Map<String, List<Session>> byProcess = new LinkedHashMap<>();
    log.allSessions()
        .forEach(
            s ->
                byProcess
                    .computeIfAbsent(s.processName(), k -> new java.util.ArrayList<>())
                    .add(s));
    TableBuilder table =
        new TableBuilder()
            .text("process")
            .text("last_session_at")
            .number("idle_days")
            .text("targets")
            .text("refs");
    byProcess.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              Instant last =
                  e.getValue().stream()
                      .map(s -> s.finishedAt() != null ? s.finishedAt() : s.startedAt())
                      .filter(java.util.Objects::nonNull)
                      .max(Comparator.naturalOrder())
                      .orElse(Instant.EPOCH);
              if (Duration.between(last, now).compareTo(idle) < 0) {
                return;
              }
              List<ProcessRefs.Ref> refs =
                  ProcessRefs.of(catalog, e.getKey(), e.getValue(), mirror);
              table.row(
                  e.getKey(),
                  last.toString(),
                  Duration.between(last, now).toDays(),
                  String.join(", ", ProcessRefs.targets(e.getKey(), e.getValue(), mirror)),
                  refs.stream().map(ProcessRefs.Ref::toString).collect(Collectors.joining(", ")));
            });
    return table.build();
  }
}
