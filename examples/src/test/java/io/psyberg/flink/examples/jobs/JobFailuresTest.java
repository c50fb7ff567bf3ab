package io.psyberg.flink.examples.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.PsybergException;
import java.io.IOException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.JobException;
import org.apache.flink.runtime.client.JobExecutionException;
import org.apache.flink.util.SerializedThrowable;
import org.junit.jupiter.api.Test;

class JobFailuresTest {

  @Test
  void thePsybergMessageIsShownAsItIsUnderFlinksWrappers() {
    PsybergException audit =
        new PsybergException(
            "Process p: session s-1 failed its audits; nothing was published."
                + "\n  - row-count: observed 1, expected 2");
    Exception failure =
        new RuntimeException(
            "org.apache.flink.runtime.client.JobExecutionException: Job execution failed.",
            new JobExecutionException(
                new JobID(),
                "Job execution failed.",
                new JobException("Recovery is suppressed by NoRestartBackoffTimeStrategy", audit)));
    assertThat(JobFailures.describe("the job", failure)).isEqualTo(audit.getMessage());
  }

  @Test
  void aSerializedPsybergExceptionIsFoundByItsClassName() {
    SerializedThrowable shipped =
        new SerializedThrowable(new PsybergException("Process p: another run published first."));
    Exception failure = new JobExecutionException(new JobID(), "Job execution failed.", shipped);
    assertThat(JobFailures.describe("the job", failure))
        .isEqualTo("Process p: another run published first.");
  }

  @Test
  void aCauseThatAddsSomethingIsKept() {
    Exception failure =
        new PsybergException("Process p: could not stage", new IOException("disk full"));
    assertThat(JobFailures.describe("the job", failure))
        .isEqualTo("Process p: could not stage\n  caused by: IOException: disk full");
  }

  @Test
  void otherFailuresAreNamedAfterTheJob() {
    Exception failure =
        new JobExecutionException(
            new JobID(), "Job execution failed.", new IllegalStateException("boom"));
    assertThat(JobFailures.describe("the signups job of process p", failure))
        .isEqualTo("the signups job of process p failed: IllegalStateException: boom");
  }
}
