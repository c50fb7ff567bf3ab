package io.psyberg.flink.sink.compaction;

import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.SortField;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Which day of a table's leading sort column a row falls on, so that compaction writes each
 * partition's last {@link #RECENT_DAYS} days into a file per day. A table sorted by a timestamp or
 * date column (e.g. {@code account_lifecycle} by {@code valid_to}, partitioned by its month) is
 * mostly read for its recent rows; files that each span one day let Iceberg prune the older days of
 * a partition by their column bounds, where one file per partition would span all of it. Rows
 * within a file keep the order they were read in.
 */
final class DayClustering {
  /** The day of a row whose column is null. */
  static final long NO_DAY = Long.MIN_VALUE;

  /**
   * Days at the end of a partition that get a file each; its earlier rows share one file. A run
   * reads back about a day; a partition's older days then sit in one file whose bounds prune it,
   * and writing few small files keeps the compaction about as cheap as writing one (Parquet
   * dictionary-encodes every value of a file too small to outgrow its dictionary).
   */
  static final int RECENT_DAYS = 7;

  private static final long MICROS_PER_DAY = 86_400_000_000L;

  private final Types.NestedField field;

  private DayClustering(Types.NestedField field) {
    this.field = field;
  }

  /**
   * The clustering of a table whose sort order starts with a timestamp or date column (as it is,
   * not transformed); empty for any other table.
   */
  static Optional<DayClustering> of(Table table) {
    SortOrder order = table.sortOrder();
    if (order == null || !order.isSorted()) {
      return Optional.empty();
    }
    SortField first = order.fields().get(0);
    if (!first.transform().isIdentity()) {
      return Optional.empty();
    }
    Types.NestedField field = table.schema().findField(first.sourceId());
    if (field == null) {
      return Optional.empty();
    }
    Type.TypeID type = field.type().typeId();
    return type == Type.TypeID.TIMESTAMP || type == Type.TypeID.DATE
        ? Optional.of(new DayClustering(field))
        : Optional.empty();
  }

  /** Days since 1970-01-01 of the row's column, or {@link #NO_DAY}. */
  long day(Record row) {
    Object value = row.getField(field.name());
    if (value instanceof LocalDateTime) {
      return ((LocalDateTime) value).toLocalDate().toEpochDay();
    }
    if (value instanceof OffsetDateTime) {
      // Iceberg keeps timestamptz as an instant: its day is the UTC day.
      return ((OffsetDateTime) value).atZoneSameInstant(ZoneOffset.UTC).toLocalDate().toEpochDay();
    }
    if (value instanceof LocalDate) {
      return ((LocalDate) value).toEpochDay();
    }
    return NO_DAY;
  }

  /** The day of a data file's last value of the column (its upper bound), or empty if unknown. */
  OptionalLong lastDay(DataFile file) {
    Map<Integer, ByteBuffer> upper = file.upperBounds();
    ByteBuffer bound = upper == null ? null : upper.get(field.fieldId());
    if (bound == null) {
      return OptionalLong.empty();
    }
    Object value = Conversions.fromByteBuffer(field.type(), bound);
    return value instanceof Integer
        ? OptionalLong.of((Integer) value)
        : OptionalLong.of(Math.floorDiv((Long) value, MICROS_PER_DAY));
  }
}
