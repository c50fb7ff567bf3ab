package io.psyberg.flink;

import org.apache.flink.annotation.PublicEvolving;

/**
 * A failure a user can act on: its message names the process, table or option at fault and says
 * what to do. Thrown for bad input and refused states; nothing is published when it is thrown.
 */
@PublicEvolving
public class PsybergException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PsybergException(String message) {
    super(message);
  }

  public PsybergException(String message, Throwable cause) {
    super(message, cause);
  }
}
