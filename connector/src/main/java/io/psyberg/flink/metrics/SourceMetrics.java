package io.psyberg.flink.metrics;

import io.psyberg.flink.catalog.ReadOnlyTables;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's metrics, reported by its enumerator: sessions planned and empty, planning time, and
 * per source table how far the planned position is behind the table's head. Updated from the
 * coordinator's IO pool, read by reporters from their own threads.
 */
@Internal
public final class SourceMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(SourceMetrics.class);

  private final MetricGroup group;
  private final Counter planned;
  private final Counter empty;
  private final Histogram planningTime;
  private final Map<String, Lag> lags = new LinkedHashMap<>();

  public SourceMetrics(MetricGroup enumeratorGroup, String processName, List<String> tables) {
    this.group = MetricGroups.processGroup(enumeratorGroup, processName);
    this.planned = MetricGroups.counter(group, PsybergMetric.SESSIONS_PLANNED);
    this.empty = MetricGroups.counter(group, PsybergMetric.SOURCE_SESSIONS_EMPTY);
    this.planningTime = MetricGroups.histogram(group, PsybergMetric.PLANNING_TIME);
    for (String table : tables) {
      Lag lag = new Lag();
      MetricGroup tableGroup = group.addGroup(PsybergMetric.TABLE, table);
      tableGroup.gauge(
          PsybergMetric.HWM_LAG_SNAPSHOTS.metricName(), (Gauge<Long>) () -> lag.snapshots);
      tableGroup.gauge(PsybergMetric.HWM_LAG_SECONDS.metricName(), (Gauge<Long>) () -> lag.seconds);
      lags.put(table, lag);
    }
  }

  public void sessionPlanned() {
    planned.inc();
  }

  public void sessionEmpty() {
    empty.inc();
  }

  /** Records the time since {@code startNanos} ({@link System#nanoTime()}) as planning time. */
  public void planningTook(long startNanos) {
    planningTime.update((System.nanoTime() - startNanos) / 1_000_000);
  }

  /**
   * Measures each source table's lag behind its head from the given positions (none yet: not
   * measured). Never fails: a table that cannot be loaded keeps its last values.
   */
  public void updateLag(Catalog catalog, @Nullable Map<String, Long> positions) {
    if (positions == null) {
      return;
    }
    lags.forEach(
        (table, lag) -> {
          try {
            HighWatermarkLag now =
                HighWatermarkLag.of(
                    ReadOnlyTables.load(catalog, TableIdentifier.parse(table)),
                    positions.get(table));
            lag.snapshots = now.snapshots;
            lag.seconds = now.seconds;
          } catch (RuntimeException e) {
            LOG.debug("Could not measure the lag of source table {}", table, e);
          }
        });
  }

  /** Unregisters the metrics, so that an enumerator created again can register its own. */
  public void close() {
    MetricGroups.close(group);
  }

  private static final class Lag {
    volatile long snapshots;
    volatile long seconds;
  }
}
