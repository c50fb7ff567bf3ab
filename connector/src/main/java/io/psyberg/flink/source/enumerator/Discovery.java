package io.psyberg.flink.source.enumerator;

import io.psyberg.flink.planning.SessionPlan;
import io.psyberg.flink.source.split.PsybergSplit;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Result of one planning call of the enumerator: the positions it planned from, and the plan if
 * there is one.
 */
final class Discovery {
  final Map<String, Long> base;
  @Nullable final SessionPlan plan;
  final List<PsybergSplit> splits;

  Discovery(Map<String, Long> base, @Nullable SessionPlan plan, List<PsybergSplit> splits) {
    this.base = base;
    this.plan = plan;
    this.splits = splits;
  }

  /**
   * A first session of a table with no high watermark still records where it started (e.g.
   * 'latest').
   */
  static boolean hasPosition(SessionPlan plan) {
    return plan.session().ranges().stream().anyMatch(r -> r.toSnapshotId() != null);
  }
}
