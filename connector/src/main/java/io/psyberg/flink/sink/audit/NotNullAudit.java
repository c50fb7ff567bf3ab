package io.psyberg.flink.sink.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * No NULL in the given columns of the staged rows. Metadata only (null-value counts of the staged
 * files); a file without metrics for a column is read.
 */
@Internal
public final class NotNullAudit implements Audit {
  private static final long serialVersionUID = 1L;

  private final List<String> columns;

  public NotNullAudit(List<String> columns) {
    this.columns = List.copyOf(columns);
  }

  @Override
  public String name() {
    return "not-null";
  }

  @Override
  public AuditResult run(AuditContext ctx) throws Exception {
    Map<String, Long> nulls = new LinkedHashMap<>();
    for (String column : columns) {
      Types.NestedField field = ctx.table().schema().findField(column);
      if (field == null) {
        return AuditResult.of(
            name(), false, "no column '" + column + "' in " + ctx.table().name(), "0 nulls");
      }
      long count = 0;
      List<DataFile> unknown = new ArrayList<>();
      for (DataFile f : ctx.dataFiles()) {
        Long n = f.nullValueCounts() == null ? null : f.nullValueCounts().get(field.fieldId());
        if (n == null) {
          unknown.add(f);
        } else {
          count += n;
        }
      }
      if (!unknown.isEmpty()) {
        for (Record r : ctx.readStaged(List.of(column))) {
          count += r.getField(column) == null ? 1 : 0;
        }
      }
      nulls.put(column, count);
    }
    long total = nulls.values().stream().mapToLong(Long::longValue).sum();
    return AuditResult.of(name(), total == 0, "nulls " + nulls, "0 nulls in " + columns);
  }
}
