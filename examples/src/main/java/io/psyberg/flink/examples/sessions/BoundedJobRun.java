package io.psyberg.flink.examples.sessions;

import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import java.util.List;
import java.util.concurrent.ExecutionException;
import javax.annotation.Nullable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;

/**
 * Runs a bounded job to its end, as {@code env.execute} does, and then finds the sessions it
 * recorded by its job id: a read of that job's rows of the session log, which stays as cheap
 * however many sessions the process ran before.
 */
public final class BoundedJobRun {
  @Nullable private final JobExecutionResult result;
  @Nullable private final Exception failure;
  private final List<Session> sessions;

  private BoundedJobRun(
      @Nullable JobExecutionResult result, @Nullable Exception failure, List<Session> sessions) {
    this.result = result;
    this.failure = failure;
    this.sessions = sessions;
  }

  /** Submits the job, waits for it when the environment runs attached, and reads its sessions. */
  public static BoundedJobRun run(
      StreamExecutionEnvironment env, String jobName, SessionLog log, String process) {
    JobClient client;
    try {
      client = env.executeAsync(jobName);
    } catch (Exception e) {
      return new BoundedJobRun(null, e, List.of());
    }
    JobExecutionResult result = null;
    Exception failure = null;
    if (env.getConfiguration().get(DeploymentOptions.ATTACHED)) {
      try {
        result = client.getJobExecutionResult().get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = e;
      } catch (ExecutionException e) {
        Throwable cause = ExceptionUtils.stripExecutionException(e);
        failure = cause instanceof Exception ? (Exception) cause : e;
      }
    }
    return new BoundedJobRun(
        result, failure, log.sessionsOfJob(process, client.getJobID().toString()));
  }

  /** The job's result; null when it failed or runs detached. */
  @Nullable
  public JobExecutionResult result() {
    return result;
  }

  /** Why the job failed (or could not be submitted); null when it finished. */
  @Nullable
  public Exception failure() {
    return failure;
  }

  /** The sessions the job recorded, oldest first. */
  public List<Session> sessions() {
    return sessions;
  }
}
