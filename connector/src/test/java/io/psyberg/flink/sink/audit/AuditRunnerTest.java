package io.psyberg.flink.sink.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.PsybergException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An audit that throws fails; an audit interrupted by its task's cancellation gives no verdict. */
class AuditRunnerTest {

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  private static Audit throwing(Exception e) {
    return new Audit() {
      @Override
      public String name() {
        return "throws";
      }

      @Override
      public AuditResult run(AuditContext context) throws Exception {
        throw e;
      }
    };
  }

  @Test
  void anAuditThatThrowsIsAFailedResultNamingTheError() {
    AuditResult result = AuditRunner.runOne(throwing(new IOException("disk gone")), null);
    assertThat(result.passed()).isFalse();
    assertThat(result.observed()).contains("audit failed to run").contains("disk gone");
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void anInterruptedAuditIsNoVerdictAndKeepsTheInterrupt() {
    assertThatThrownBy(() -> AuditRunner.runOne(throwing(new InterruptedException()), null))
        .isInstanceOf(PsybergException.class)
        .hasMessageContaining("throws was interrupted");
    assertThat(Thread.interrupted()).isTrue();
    // Iceberg's file IO reports an interrupt as a closed channel, sometimes wrapped.
    assertThatThrownBy(
            () ->
                AuditRunner.runOne(
                    throwing(new UncheckedIOException(new ClosedByInterruptException())), null))
        .isInstanceOf(PsybergException.class);
    assertThat(Thread.interrupted()).isTrue();
  }
}
