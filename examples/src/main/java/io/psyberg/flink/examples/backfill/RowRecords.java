package io.psyberg.flink.examples.backfill;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.apache.flink.types.Row;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Turns the rows a SQL query collects (Flink's external types) into Iceberg records of a target's
 * schema, column by column in order, as an INSERT into the table would.
 */
final class RowRecords {
  private final String target;
  private final Schema schema;

  RowRecords(String target, Schema schema) {
    this.target = target;
    this.schema = schema;
  }

  Record toRecord(Row row) {
    Record r = GenericRecord.create(schema);
    for (int i = 0; i < schema.columns().size(); i++) {
      Types.NestedField field = schema.columns().get(i);
      Object value = row.getField(i);
      if (value == null && field.isRequired()) {
        throw new IllegalArgumentException(
            "the script writes NULL into column "
                + field.name()
                + " of "
                + target
                + ", which is"
                + " required (NOT NULL): filter such rows out or give the column a value");
      }
      r.set(i, value == null ? null : convert(field, value));
    }
    return r;
  }

  private Object convert(Types.NestedField field, Object value) {
    Type type = field.type();
    switch (type.typeId()) {
      case STRING:
        return value.toString();
      case INTEGER:
        return ((Number) value).intValue();
      case LONG:
        return ((Number) value).longValue();
      case FLOAT:
        return ((Number) value).floatValue();
      case DOUBLE:
        return ((Number) value).doubleValue();
      case DECIMAL:
        return ((BigDecimal) value)
            .setScale(((Types.DecimalType) type).scale(), RoundingMode.HALF_UP);
      case BOOLEAN:
      case DATE:
      case TIME:
        return checked(field, value, Boolean.class, LocalDate.class, LocalTime.class);
      case TIMESTAMP:
        if (((Types.TimestampType) type).shouldAdjustToUTC()) {
          return value instanceof Instant
              ? OffsetDateTime.ofInstant((Instant) value, ZoneOffset.UTC)
              : ((LocalDateTime) value).atOffset(ZoneOffset.UTC);
        }
        return value instanceof Instant
            ? LocalDateTime.ofInstant((Instant) value, ZoneOffset.UTC)
            : (LocalDateTime) value;
      case UUID:
        return value instanceof UUID ? value : UUID.fromString(value.toString());
      case BINARY:
        return ByteBuffer.wrap((byte[]) value);
      case FIXED:
        return value;
      default:
        throw new IllegalArgumentException(
            "column "
                + field.name()
                + " of "
                + target
                + " is of type "
                + type
                + ", which a SQL backfill does not write yet: backfill this target with a job of"
                + " its own");
    }
  }

  private Object checked(Types.NestedField field, Object value, Class<?>... expected) {
    for (Class<?> c : expected) {
      if (c.isInstance(value)) {
        return value;
      }
    }
    throw new IllegalArgumentException(
        "the script writes a "
            + value.getClass().getSimpleName()
            + " into column "
            + field.name()
            + " ("
            + field.type()
            + ") of "
            + target
            + ": cast it to the column's type in the SELECT");
  }
}
