package io.psyberg.flink.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Which statuses the sink may still publish, and which it hands to the publisher. */
class SessionStatusTest {
  @Test
  void openSessionsAreThoseThatMayStillBePublished() {
    assertThat(Arrays.stream(SessionStatus.values()).filter(SessionStatus::isOpen))
        .containsExactlyInAnyOrder(
            SessionStatus.PLANNED, SessionStatus.STAGED, SessionStatus.AUDIT_FAILED);
  }

  @Test
  void publishableSessionsAreTheOpenOnesAndThePublishedOnesForReplays() {
    assertThat(Arrays.stream(SessionStatus.values()).filter(SessionStatus::isPublishable))
        .containsExactlyInAnyOrder(
            SessionStatus.PLANNED,
            SessionStatus.STAGED,
            SessionStatus.AUDIT_FAILED,
            SessionStatus.PUBLISHED);
  }

  @Test
  void onlyPlannedAndStagedSessionsAreNotFinal() {
    assertThat(Arrays.stream(SessionStatus.values()).filter(s -> !s.isFinal()))
        .containsExactlyInAnyOrder(SessionStatus.PLANNED, SessionStatus.STAGED);
  }
}
