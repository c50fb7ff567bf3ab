package io.psyberg.flink.bench;

import io.psyberg.flink.examples.sql.LocalCluster;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One local Flink cluster that every job of a benchmark is submitted to, as {@code flink run}
 * submits scheduled jobs to a standing session cluster, instead of a MiniCluster started and
 * stopped by each {@code execute()} (about a second of CPU per job on two cores, paid alike by both
 * sides of a comparison). While installed, {@code
 * StreamExecutionEnvironment.getExecutionEnvironment()} in this JVM returns an environment that
 * submits to it; the psyberg CLI and the baselines call exactly that.
 */
final class StandingCluster extends StreamExecutionEnvironment implements AutoCloseable {

  private final LocalCluster cluster;

  private StandingCluster(LocalCluster cluster) {
    this.cluster = cluster;
  }

  /** Starts the cluster and makes it this JVM's context environment until {@link #close()}. */
  static StandingCluster install() {
    LocalCluster cluster = new LocalCluster(new Configuration());
    int cores = Runtime.getRuntime().availableProcessors();
    ClassLoader loader = StandingCluster.class.getClassLoader();
    initializeContextEnvironment(
        conf -> {
          Configuration c = new Configuration(conf);
          c.set(DeploymentOptions.TARGET, cluster.getExecutorNames().findFirst().orElseThrow());
          // execute() waits for the job's end, as a local environment's does
          c.set(DeploymentOptions.ATTACHED, true);
          if (!c.contains(CoreOptions.DEFAULT_PARALLELISM)) {
            c.set(CoreOptions.DEFAULT_PARALLELISM, cores);
          }
          return new StreamExecutionEnvironment(cluster, c, loader);
        });
    cluster.startInBackground();
    return new StandingCluster(cluster);
  }

  @Override
  public void close() throws Exception {
    resetContextEnvironment();
    cluster.close();
  }
}
