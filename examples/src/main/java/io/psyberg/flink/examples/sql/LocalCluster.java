package io.psyberg.flink.examples.sql;

import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.flink.api.dag.Pipeline;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;

/**
 * One embedded {@link MiniCluster} shared by all jobs of a SQL session, started on the first job
 * (so scripts of DDL only start nothing) and restarted with more slots if a job needs them. Flink's
 * local executor would start a cluster per job, which costs about a second each time.
 */
public final class LocalCluster implements PipelineExecutorServiceLoader, AutoCloseable {

  /** The {@code execution.target} that selects this executor. */
  static final String TARGET = "psyberg-local";

  private final Configuration clusterConfig;
  private MiniCluster miniCluster;
  private int slots;
  private boolean closed;

  /** Flink's managed memory of a local cluster when none is configured (split over its slots). */
  private static final MemorySize LOCAL_MANAGED_MEMORY = MemorySize.ofMebiBytes(128);

  private final int slotsPerCore;

  public LocalCluster(Configuration clusterConfig) {
    this(clusterConfig, 1);
  }

  /**
   * A cluster with {@code slotsPerCore} slots per core: a batch job of many small independent
   * pipelines (a SQL backfill's day chunks) runs them side by side instead of a core's worth at a
   * time, so one pipeline's start overlaps another's work. Each slot keeps the managed memory a
   * one-slot-per-core cluster gives it, unless the configuration sets the managed memory.
   */
  public LocalCluster(Configuration clusterConfig, int slotsPerCore) {
    this.clusterConfig = new Configuration(clusterConfig);
    this.slotsPerCore = Math.max(1, slotsPerCore);
  }

  @Override
  public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
    return new PipelineExecutorFactory() {
      @Override
      public String getName() {
        return TARGET;
      }

      @Override
      public boolean isCompatibleWith(Configuration configuration) {
        return true;
      }

      @Override
      public PipelineExecutor getExecutor(Configuration configuration) {
        return LocalCluster.this::submit;
      }
    };
  }

  @Override
  public Stream<String> getExecutorNames() {
    return Stream.of(TARGET);
  }

  private CompletableFuture<JobClient> submit(
      Pipeline pipeline, Configuration configuration, ClassLoader userClassLoader)
      throws Exception {
    JobGraph jobGraph = PipelineExecutorUtils.getJobGraph(pipeline, configuration, userClassLoader);
    MiniCluster cluster = clusterWithSlots(slotsNeeded(jobGraph));
    return cluster
        .submitJob(jobGraph)
        .thenApply(
            result ->
                new MiniClusterJobClient(
                    result.getJobID(),
                    cluster,
                    userClassLoader,
                    MiniClusterJobClient.JobFinalizationBehavior.NOTHING));
  }

  private static int slotsNeeded(JobGraph jobGraph) {
    int max = 1;
    for (JobVertex v : jobGraph.getVertices()) {
      max = Math.max(max, v.getParallelism());
    }
    return max;
  }

  /**
   * Starts the cluster in the background, so that the first job, submitted later, finds it running
   * (its start then overlaps with the job's planning). A failed start is reported by that job.
   */
  public void startInBackground() {
    Thread start =
        new Thread(
            () -> {
              try {
                clusterWithSlots(1);
              } catch (Exception e) {
                // the first job starts the cluster again and reports why it cannot
              }
            },
            "local cluster start");
    start.setDaemon(true);
    start.start();
  }

  /** The running cluster, (re)started when it has fewer slots than a job needs. */
  private synchronized MiniCluster clusterWithSlots(int needed) throws Exception {
    if (closed) {
      throw new IllegalStateException("The local cluster was closed; open a new one.");
    }
    if (miniCluster != null && slots >= needed) {
      return miniCluster;
    }
    // Statements run one after the other, so no job runs on the cluster being replaced.
    stop();
    Configuration conf = new Configuration(clusterConfig);
    conf.set(RestOptions.BIND_PORT, "0");
    conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    conf.set(RestOptions.ADDRESS, "127.0.0.1");
    int wanted = Math.max(needed, Runtime.getRuntime().availableProcessors() * slotsPerCore);
    if (slotsPerCore > 1 && !clusterConfig.contains(TaskManagerOptions.MANAGED_MEMORY_SIZE)) {
      conf.set(
          TaskManagerOptions.MANAGED_MEMORY_SIZE,
          MemorySize.ofMebiBytes(LOCAL_MANAGED_MEMORY.getMebiBytes() * slotsPerCore));
    }
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(wanted)
                .build());
    cluster.start();
    miniCluster = cluster;
    slots = wanted;
    return cluster;
  }

  @Override
  public synchronized void close() throws Exception {
    closed = true;
    stop();
  }

  private void stop() throws Exception {
    if (miniCluster != null) {
      MiniCluster c = miniCluster;
      miniCluster = null;
      slots = 0;
      c.close();
    }
  }
}
