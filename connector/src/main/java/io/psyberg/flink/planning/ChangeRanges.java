package io.psyberg.flink.planning;

import io.psyberg.flink.session.ChangeRange;
import java.nio.ByteBuffer;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Comparators;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.DateTimeUtil;

/** Computes a {@link ChangeRange} from data files' lower and upper bounds, reading no data. */
final class ChangeRanges {
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

  private ChangeRanges() {}

  /** Null when there are no files; min/max null when some file has no metrics for the column. */
  @Nullable
  static ChangeRange of(Schema schema, String column, List<DataFile> files) {
    if (files.isEmpty()) {
      return null;
    }
    Types.NestedField field = schema.findField(column);
    Type type = field.type();
    Comparator<Object> cmp = Comparators.forType(type.asPrimitiveType());
    Object min = null;
    Object max = null;
    for (DataFile f : files) {
      ByteBuffer lower = f.lowerBounds() == null ? null : f.lowerBounds().get(field.fieldId());
      ByteBuffer upper = f.upperBounds() == null ? null : f.upperBounds().get(field.fieldId());
      boolean allNull =
          f.nullValueCounts() != null
              && f.recordCount() > 0
              && Long.valueOf(f.recordCount()).equals(f.nullValueCounts().get(field.fieldId()));
      if (allNull) {
        continue;
      }
      if (lower == null || upper == null) {
        return new ChangeRange(column, null, null);
      }
      Object lo = Conversions.fromByteBuffer(type, lower);
      Object hi = Conversions.fromByteBuffer(type, upper);
      min = min == null || cmp.compare(lo, min) < 0 ? lo : min;
      max = max == null || cmp.compare(hi, max) > 0 ? hi : max;
    }
    return new ChangeRange(column, render(type, min), render(type, max));
  }

  static String render(Type type, Object value) {
    if (value == null) {
      return null;
    }
    switch (type.typeId()) {
      case TIMESTAMP:
        return ((Types.TimestampType) type).shouldAdjustToUTC()
            ? DateTimeUtil.timestamptzFromMicros((Long) value).toLocalDateTime().format(TIMESTAMP)
                + "Z"
            : DateTimeUtil.timestampFromMicros((Long) value).format(TIMESTAMP);
      case DATE:
        return DateTimeUtil.dateFromDays((Integer) value).toString();
      default:
        return value.toString();
    }
  }
}
