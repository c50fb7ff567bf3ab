package io.psyberg.flink.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Row count and an order-independent checksum of a table's current contents (deletes applied), to
 * check that two runs wrote the same rows.
 */
record TableDigest(long rows, long checksum) {

  static TableDigest of(Catalog catalog, String name) {
    Table table = catalog.loadTable(TableIdentifier.parse(name));
    long rows = 0;
    long sum = 0;
    if (table.currentSnapshot() == null) {
      return new TableDigest(0, 0);
    }
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      StringBuilder s = new StringBuilder();
      for (Record r : records) {
        s.setLength(0);
        for (int i = 0; i < r.size(); i++) {
          s.append(r.get(i)).append('\u0001');
        }
        rows++;
        sum += hash(s.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new TableDigest(rows, sum);
  }

  /**
   * The digest {@link #of} gives a table holding exactly these rows (field values in column order).
   */
  static TableDigest ofValues(Iterable<Object[]> rows) {
    long n = 0;
    long sum = 0;
    StringBuilder s = new StringBuilder();
    for (Object[] row : rows) {
      s.setLength(0);
      for (Object v : row) {
        s.append(v).append('\u0001');
      }
      n++;
      sum += hash(s.toString());
    }
    return new TableDigest(n, sum);
  }

  /** 64-bit FNV-1a, so that equal row sets give equal sums whatever the order. */
  private static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b;
      h *= 0x100000001b3L;
    }
    return h;
  }

  @Override
  public String toString() {
    return String.format("%,d rows, checksum %016x", rows, checksum);
  }
}
