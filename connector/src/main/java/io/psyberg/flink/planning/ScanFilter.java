package io.psyberg.flink.planning;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.And;
import org.apache.iceberg.expressions.Binder;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.Or;
import org.apache.iceberg.expressions.UnboundPredicate;
import org.apache.iceberg.flink.FlinkSourceFilter;
import org.apache.iceberg.types.Types;

/**
 * A filter of a bounded Iceberg read, split into what Iceberg gets (planning and the Parquet
 * reader) and what is checked on the rows read. A key filter of a run ({@code key IN (the keys of
 * the new events)}, {@link StatefulRunPlan#keyFilter}) holds thousands of values; Iceberg prunes
 * files by metrics only for an {@code IN} of at most {@value #METRICS_IN_LIMIT} values, yet binds
 * the whole list again for every manifest, data file and row group it evaluates, a cost that grows
 * with the table's files, not with the keys. Such an {@code IN} is kept out of what Iceberg gets,
 * unless the table is partitioned by its column (then partition pruning pays), and the whole filter
 * is applied to the rows read instead (one hash lookup per row).
 */
@PublicEvolving
public final class ScanFilter {
  /** The largest {@code IN} list Iceberg evaluates against file and row group metrics. */
  public static final int METRICS_IN_LIMIT = 200;

  private final Expression pushed;
  private final Expression rows;
  private final Schema read;

  private ScanFilter(Expression pushed, Expression rows, Schema read) {
    this.pushed = pushed;
    this.rows = rows;
    this.read = read;
  }

  /**
   * Splits {@code filter} of a read of a table with partition {@code spec} whose rows have the
   * columns of {@code read}. A filter naming a column that {@code read} lacks is pushed whole.
   */
  public static ScanFilter of(Expression filter, PartitionSpec spec, Schema read) {
    Expression pushed = withoutLargeIns(filter, spec);
    if (pushed == filter || !readable(filter, read)) {
      return new ScanFilter(filter, null, read);
    }
    return new ScanFilter(pushed, filter, read);
  }

  /** What to give Iceberg ({@code IcebergSource.Builder.filters}). */
  public Expression pushed() {
    return pushed;
  }

  /** Whether some of the filter is left to {@link #applyTo}. */
  public boolean checksRows() {
    return rows != null;
  }

  /** {@code rows} (read with the {@code read} schema) less those the whole filter rejects. */
  public DataStream<RowData> applyTo(DataStream<RowData> source) {
    if (rows == null) {
      return source;
    }
    return source.filter(new FlinkSourceFilter(read, rows, true)).name("key filter");
  }

  /**
   * {@code filter} with each large {@code IN} on a column the spec does not partition by replaced
   * by "true" where that only widens the result (under AND and OR, not under NOT).
   */
  private static Expression withoutLargeIns(Expression e, PartitionSpec spec) {
    // the same instance back when nothing was replaced
    if (e instanceof And) {
      And and = (And) e;
      Expression left = withoutLargeIns(and.left(), spec);
      Expression right = withoutLargeIns(and.right(), spec);
      return left == and.left() && right == and.right() ? e : Expressions.and(left, right);
    }
    if (e instanceof Or) {
      Or or = (Or) e;
      Expression left = withoutLargeIns(or.left(), spec);
      Expression right = withoutLargeIns(or.right(), spec);
      return left == or.left() && right == or.right() ? e : Expressions.or(left, right);
    }
    if (e instanceof UnboundPredicate) {
      UnboundPredicate<?> p = (UnboundPredicate<?>) e;
      if (p.op() == Expression.Operation.IN
          && p.literals().size() > METRICS_IN_LIMIT
          && !partitionsBy(spec, p.ref().name())) {
        return Expressions.alwaysTrue();
      }
    }
    return e;
  }

  private static boolean partitionsBy(PartitionSpec spec, String column) {
    if (spec.isUnpartitioned()) {
      return false;
    }
    Types.NestedField field = spec.schema().caseInsensitiveFindField(column);
    if (field == null) {
      // not a column Iceberg knows: leave the predicate where it was
      return true;
    }
    return spec.fields().stream().anyMatch(p -> p.sourceId() == field.fieldId());
  }

  private static boolean readable(Expression filter, Schema read) {
    try {
      Binder.bind(read.asStruct(), filter, true);
      return true;
    } catch (RuntimeException missing) {
      return false;
    }
  }
}
