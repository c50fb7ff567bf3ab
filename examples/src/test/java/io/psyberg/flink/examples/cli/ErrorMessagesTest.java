package io.psyberg.flink.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class ErrorMessagesTest {

  @Test
  void showsTheRootCauseBehindGenericWrappers() {
    Exception e =
        new ExecutionException(
            "Job execution failed.",
            new RuntimeException(new NumberFormatException("For input string: 'abc'")));
    assertThat(ErrorMessages.describe(e))
        .isEqualTo("NumberFormatException: For input string: 'abc'");
  }

  @Test
  void keepsTheOuterMessageWhenItSaysMore() {
    Exception e =
        new IllegalStateException(
            "SQL validation failed. From line 1, column 15: Object 'nope' not found",
            new IllegalArgumentException("Object 'nope' not found"));
    assertThat(ErrorMessages.describe(e))
        .isEqualTo("SQL validation failed. From line 1, column 15: Object 'nope' not found");
  }

  @Test
  void showsBothWhenTheyDiffer() {
    Exception e =
        new IllegalStateException(
            "Unable to create a source for reading table 't'.",
            new IllegalArgumentException("Unknown option 'x'.\n\nValid options:\na\nb"));
    assertThat(ErrorMessages.describe(e))
        .isEqualTo(
            "Unable to create a source for reading table 't'.\n"
                + "  caused by: IllegalArgumentException: Unknown option 'x'.\n"
                + "    Valid options:\n    a\n    b");
  }
}
