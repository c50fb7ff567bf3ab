package io.psyberg.flink.source.reader;

import io.psyberg.flink.PsybergException;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * Projections of a source table's schema, in the order the job asks for (Iceberg's select keeps
 * table order).
 */
@Internal
public final class ReadSchemas {
  private ReadSchemas() {}

  public static Schema project(Schema tableSchema, @Nullable List<String> columns) {
    if (columns == null) {
      return tableSchema;
    }
    List<Types.NestedField> fields = new ArrayList<>();
    for (String column : columns) {
      Types.NestedField field = tableSchema.findField(column);
      if (field == null) {
        throw new PsybergException(
            "Column '"
                + column
                + "' is not in the source table (columns: "
                + tableSchema.columns()
                + ")");
      }
      fields.add(field);
    }
    return new Schema(fields);
  }
}
