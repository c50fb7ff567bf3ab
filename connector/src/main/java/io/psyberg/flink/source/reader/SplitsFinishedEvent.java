package io.psyberg.flink.source.reader;

import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;

/** Sent by a reader to the enumerator after it emitted every record of some splits. */
@Internal
public final class SplitsFinishedEvent implements SourceEvent {
  private static final long serialVersionUID = 1L;

  private final List<String> splitIds;

  public SplitsFinishedEvent(List<String> splitIds) {
    this.splitIds = List.copyOf(splitIds);
  }

  public List<String> splitIds() {
    return splitIds;
  }

  @Override
  public String toString() {
    return "SplitsFinishedEvent" + splitIds;
  }
}
