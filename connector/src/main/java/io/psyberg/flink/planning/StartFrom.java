package io.psyberg.flink.planning;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Where a process starts reading a source table that has no high watermark yet: {@code earliest}
 * (default), {@code latest}, {@code snapshot:<id>} (that snapshot included) or {@code
 * timestamp:<ISO-8601>} (snapshots committed at or after it).
 */
@PublicEvolving
public final class StartFrom implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Kinds of start position. */
  public enum Kind {
    EARLIEST,
    LATEST,
    SNAPSHOT,
    TIMESTAMP
  }

  /** The forms of the option's value, for error messages. */
  public static final String VALID_VALUES =
      "Valid values: earliest, latest, snapshot:<snapshot id>,"
          + " timestamp:<ISO-8601, e.g. 2026-01-31T00:00:00Z>";

  public static final StartFrom EARLIEST = new StartFrom(Kind.EARLIEST, 0L);
  public static final StartFrom LATEST = new StartFrom(Kind.LATEST, 0L);

  private final Kind kind;
  private final long value;

  private StartFrom(Kind kind, long value) {
    this.kind = kind;
    this.value = value;
  }

  public static StartFrom snapshot(long snapshotId) {
    return new StartFrom(Kind.SNAPSHOT, snapshotId);
  }

  public static StartFrom timestamp(Instant instant) {
    return new StartFrom(Kind.TIMESTAMP, instant.toEpochMilli());
  }

  /** Parses the option value; the message names the option and lists what is valid. */
  public static StartFrom parse(String text) {
    String s = text == null ? "" : text.trim();
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.equals("earliest")) {
      return EARLIEST;
    }
    if (lower.equals("latest")) {
      return LATEST;
    }
    try {
      if (lower.startsWith("snapshot:")) {
        return snapshot(Long.parseLong(s.substring("snapshot:".length()).trim()));
      }
      if (lower.startsWith("timestamp:")) {
        String ts = s.substring("timestamp:".length()).trim();
        Instant instant;
        try {
          instant = OffsetDateTime.parse(ts).toInstant();
        } catch (DateTimeParseException noOffset) {
          try {
            instant = Instant.parse(ts);
          } catch (DateTimeParseException notInstant) {
            instant = LocalDateTime.parse(ts).toInstant(ZoneOffset.UTC);
          }
        }
        return timestamp(instant);
      }
    } catch (NumberFormatException | DateTimeParseException e) {
      // fall through to the error below
    }
    throw new IllegalArgumentException(
        "Invalid value '" + text + "' for option 'start-from'. " + VALID_VALUES + ".");
  }

  public Kind kind() {
    return kind;
  }

  /** The snapshot id, or the timestamp in epoch millis. */
  public long value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StartFrom && ((StartFrom) o).kind == kind && ((StartFrom) o).value == value;
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + Long.hashCode(value);
  }

  @Override
  public String toString() {
    switch (kind) {
      case SNAPSHOT:
        return "snapshot:" + value;
      case TIMESTAMP:
        return "timestamp:" + Instant.ofEpochMilli(value);
      default:
        return kind.name().toLowerCase(Locale.ROOT);
    }
  }
}
