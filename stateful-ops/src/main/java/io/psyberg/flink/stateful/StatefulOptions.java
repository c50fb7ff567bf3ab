package io.psyberg.flink.stateful;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Settings of the stateful operators, usable from a Flink configuration as well as from the
 * builders.
 */
public final class StatefulOptions {

  public static final ConfigOption<Duration> RETENTION =
      ConfigOptions.key("psyberg.stateful.retention")
          .durationType()
          .noDefaultValue()
          .withDescription(
              "How far behind a key's latest event time an event may arrive and still correct the"
                  + " output. Older events of the key are folded into a compact state; an event"
                  + " arriving beyond this horizon goes to the 'too late' side output and is"
                  + " counted. Unset: keep every event (state grows with history, nothing is too"
                  + " late).");

  private StatefulOptions() {}
}
