package io.psyberg.flink.sink;

import io.psyberg.flink.sink.commit.PublishHook;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;

/**
 * Attaches a {@link PublishHook} to a sink: a seam for tests (fault injection between the steps of
 * a publish) and benchmarks (timing the steps), kept off the public builder.
 */
@Internal
@VisibleForTesting
public final class PsybergSinkHooks {
  private PsybergSinkHooks() {}

  /** The builder, with {@code hook} called by the committer after each step of a publish. */
  public static PsybergSinkBuilder withPublishHook(PsybergSinkBuilder builder, PublishHook hook) {
    return builder.publishHook(hook);
  }
}
