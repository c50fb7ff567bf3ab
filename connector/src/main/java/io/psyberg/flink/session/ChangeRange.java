package io.psyberg.flink.session;

import java.io.Serializable;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Min and max of one column over the rows a session adds, taken from Iceberg file metrics (lower
 * and upper bounds) without reading data. Values are kept as their display strings (timestamps as
 * ISO-8601) so that sessions of any column type can be recorded side by side.
 */
@PublicEvolving
public final class ChangeRange implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String column;
  @Nullable private final String min;
  @Nullable private final String max;

  public ChangeRange(String column, @Nullable String min, @Nullable String max) {
    this.column = Objects.requireNonNull(column, "column");
    this.min = min;
    this.max = max;
  }

  public String column() {
    return column;
  }

  @Nullable
  public String min() {
    return min;
  }

  @Nullable
  public String max() {
    return max;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ChangeRange)) {
      return false;
    }
    ChangeRange that = (ChangeRange) o;
    return column.equals(that.column)
        && Objects.equals(min, that.min)
        && Objects.equals(max, that.max);
  }

  @Override
  public int hashCode() {
    return Objects.hash(column, min, max);
  }

  @Override
  public String toString() {
    return column + "[" + min + ", " + max + "]";
  }
}
