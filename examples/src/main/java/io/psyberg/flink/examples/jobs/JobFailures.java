package io.psyberg.flink.examples.jobs;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.examples.cli.ErrorMessages;
import org.apache.flink.util.SerializedThrowable;

/**
 * The message to print when a job fails. Flink wraps a task's failure in several layers ("Job
 * execution failed.", "Recovery is suppressed ..."); the connector's own {@link PsybergException}
 * (an audit that failed, a range another run published first, a bad option) is the one that says
 * what happened and what to do, so it is shown in full when the chain holds one.
 */
public final class JobFailures {

  private JobFailures() {}

  /**
   * The psyberg exception's message (it names the process and says what to do), with its cause if
   * that adds something; otherwise {@code what + " failed: "} and the short form of the chain.
   *
   * @param what the job, e.g. {@code the signups job of process p}
   */
  public static String describe(String what, Throwable failure) {
    Throwable psyberg = findPsyberg(failure);
    if (psyberg == null) {
      return what + " failed: " + ErrorMessages.describe(failure);
    }
    String message = message(psyberg);
    Throwable cause = psyberg.getCause();
    if (cause != null && cause != psyberg) {
      String more = ErrorMessages.describe(cause);
      if (!message.contains(firstLine(more))) {
        message += "\n  caused by: " + more;
      }
    }
    return message;
  }

  /** The outermost psyberg exception in the chain, also when Flink shipped it serialized. */
  private static Throwable findPsyberg(Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 100; t = t.getCause(), depth++) {
      if (t instanceof PsybergException) {
        return t;
      }
      if (t instanceof SerializedThrowable
          && ((SerializedThrowable) t).getOriginalErrorClassName().startsWith("io.psyberg.")) {
        return t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /** The message, without the class name a serialized exception puts in front of it. */
  private static String message(Throwable t) {
    String m = t.getMessage() == null ? "" : t.getMessage().strip();
    if (t instanceof SerializedThrowable) {
      String prefix = ((SerializedThrowable) t).getOriginalErrorClassName() + ": ";
      if (m.startsWith(prefix)) {
        m = m.substring(prefix.length());
      }
    }
    return m;
  }

  private static String firstLine(String s) {
    int colon = s.indexOf(": ");
    String rest = colon < 0 ? s : s.substring(colon + 2);
    int nl = rest.indexOf('\n');
    return nl < 0 ? rest : rest.substring(0, nl);
  }
}
