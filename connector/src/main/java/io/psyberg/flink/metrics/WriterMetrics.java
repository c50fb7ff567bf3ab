package io.psyberg.flink.metrics;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/** A sink writer's metrics: rows and files it wrote. */
@Internal
public final class WriterMetrics {
  private final Counter records;
  private final Counter dataFiles;
  private final Counter deleteFiles;

  public WriterMetrics(MetricGroup operatorGroup, String processName) {
    MetricGroup group = MetricGroups.processGroup(operatorGroup, processName);
    this.records = MetricGroups.counter(group, PsybergMetric.RECORDS_WRITTEN);
    this.dataFiles = MetricGroups.counter(group, PsybergMetric.DATA_FILES_WRITTEN);
    this.deleteFiles = MetricGroups.counter(group, PsybergMetric.DELETE_FILES_WRITTEN);
  }

  /** Counts the rows and files of one flush (a checkpoint or the end of input). */
  public void flushed(long rows, int dataFileCount, int deleteFileCount) {
    records.inc(rows);
    dataFiles.inc(dataFileCount);
    deleteFiles.inc(deleteFileCount);
  }
}
