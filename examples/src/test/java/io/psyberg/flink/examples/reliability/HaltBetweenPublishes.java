package io.psyberg.flink.examples.reliability;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.lifecycle.LifecycleJob;
import io.psyberg.flink.sink.PsybergSinkHooks;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A child JVM's main: one bounded lifecycle run (the job the {@code lifecycle} command runs) whose
 * JVM halts, as on SIGKILL, right after the publish commit of the target named first, before the
 * other target publishes. Arguments: warehouse, process, source, lifecycle target, anomalies
 * target, the target to halt after.
 */
public final class HaltBetweenPublishes {
  private HaltBetweenPublishes() {}

  public static void main(String[] args) throws Exception {
    StopAfterFirstPublish.arm(args[5], true);
    LifecycleJob job =
        new LifecycleJob(CatalogSpec.embedded(args[0]), args[1], List.of(args[2]), args[3], args[4])
            .sinkSettings(b -> PsybergSinkHooks.withPublishHook(b, new StopAfterFirstPublish()));
    job.ensureTargets();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    job.bounded(env);
    env.execute("lifecycle " + args[1]);
    System.exit(0); // not reached when the hook halts the JVM
  }
}
