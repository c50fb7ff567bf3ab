package io.psyberg.flink.source.enumerator;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import org.apache.flink.annotation.Internal;

/**
 * Session ids that sort by planning time and say when they were made: {@code
 * s-20261122T033000Z-1a2b3c4d}.
 */
@Internal
public final class SessionIds {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  private SessionIds() {}

  public static String next() {
    return "s-"
        + ZonedDateTime.now(ZoneOffset.UTC).format(FORMAT)
        + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }
}
