package io.psyberg.flink.sink;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.catalog.ReadOnlyTables;
import io.psyberg.flink.sink.audit.AuditSpec;
import io.psyberg.flink.sink.commit.PsybergCommitterOperator;
import io.psyberg.flink.sink.commit.PublishHook;
import io.psyberg.flink.sink.compaction.TargetCompaction;
import io.psyberg.flink.sink.writer.PsybergWriterOperator;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.sink.DiscardingSink;
import org.apache.flink.streaming.api.transformations.WithBoundedness;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Types.NestedField;

/**
 * The write-audit-publish sink of a process: parallel writers stage files; a single committer, per
 * session, stages them as an unpublished snapshot, audits it and publishes it to main atomically
 * with the high watermark. Build with {@link #builder()}, attach with {@link #append(DataStream)}.
 *
 * <p>On Flink 1.18 the Sink V2 committer runs at the writers' parallelism; a session must be
 * published by one committer, so this sink is wired as a writer operator and a committer operator
 * of parallelism one (the shape of Iceberg's own Flink sink), with the same two-phase protocol over
 * checkpoints.
 */
@PublicEvolving
public final class PsybergSink implements Serializable {
  /**
   * Prefix of the branch a session is staged and audited on before main is fast-forwarded to it:
   * {@code psyberg-audit-<session id>}.
   */
  public static final String AUDIT_BRANCH_PREFIX = "psyberg-audit-";

  private static final long serialVersionUID = 1L;

  private final CatalogSpec catalog;
  private final String table;
  private final String processName;
  private final WriteMode writeMode;
  @Nullable private final List<String> upsertKey;
  @Nullable private final String overwriteRangeColumn;
  private final List<AuditSpec> audits;
  @Nullable private final Integer parallelism;
  private final long targetFileSize;
  private final TargetCompaction compaction;
  private final PublishHook hook;

  PsybergSink(
      CatalogSpec catalog,
      String table,
      String processName,
      WriteMode writeMode,
      @Nullable List<String> upsertKey,
      @Nullable String overwriteRangeColumn,
      List<AuditSpec> audits,
      @Nullable Integer parallelism,
      long targetFileSize,
      TargetCompaction compaction,
      PublishHook hook) {
    this.catalog = catalog;
    this.table = table;
    this.processName = processName;
    this.writeMode = writeMode;
    this.upsertKey = upsertKey;
    this.overwriteRangeColumn = overwriteRangeColumn;
    this.audits = List.copyOf(audits);
    this.parallelism = parallelism;
    this.targetFileSize = targetFileSize;
    this.compaction = compaction;
    this.hook = hook;
  }

  public static PsybergSinkBuilder builder() {
    return new PsybergSinkBuilder();
  }

  public String table() {
    return table;
  }

  public String processName() {
    return processName;
  }

  /**
   * Adds the writers and the committer after {@code input}; reads the target's schema to check the
   * input.
   */
  public DataStreamSink<Void> append(DataStream<RowData> input) {
    Table target = loadTarget();
    RowType rowType = FlinkSchemaUtil.convert(target.schema());
    checkInput(input.getType(), rowType);
    List<Integer> equalityIds = equalityFieldIds(target.schema());
    checkUpsertPartitioning(target, equalityIds);
    if (writeMode == WriteMode.OVERWRITE_RANGE
        && target.schema().findField(overwriteRangeColumn) == null) {
      throw new PsybergException(
          String.format(
              "Process %s: 'overwrite-range-column' = '%s' is not a column of sink table %s.",
              processName, overwriteRangeColumn, table));
    }
    SingleOutputStreamOperator<byte[]> written =
        route(input, rowType, target.schema(), equalityIds)
            .transform(
                "psyberg-writer " + table,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO,
                new PsybergWriterOperator(
                    catalog, table, processName, rowType, writeMode, equalityIds, targetFileSize))
            .uid("psyberg-writer-" + processName + "-" + table);
    if (parallelism != null) {
      written.setParallelism(parallelism);
    }
    SingleOutputStreamOperator<Void> committed =
        written
            .global()
            .transform(
                "psyberg-committer " + table,
                Types.VOID,
                new PsybergCommitterOperator(
                    catalog,
                    table,
                    processName,
                    writeMode,
                    audits,
                    overwriteRangeColumn,
                    compaction,
                    hook,
                    hasUnboundedSource(input)))
            .uid("psyberg-committer-" + processName + "-" + table)
            .setParallelism(1)
            .setMaxParallelism(1);
    return committed.addSink(new DiscardingSink<>()).name("psyberg-end " + table).setParallelism(1);
  }

  private static boolean hasUnboundedSource(DataStream<RowData> input) {
    for (Transformation<?> t : input.getTransformation().getTransitivePredecessors()) {
      if (t instanceof WithBoundedness
          && ((WithBoundedness) t).getBoundedness() == Boundedness.CONTINUOUS_UNBOUNDED) {
        return true;
      }
    }
    return false;
  }

  private Table loadTarget() {
    Catalog c = catalog.open();
    try {
      return ReadOnlyTables.load(c, TableIdentifier.parse(table));
    } catch (NoSuchTableException e) {
      throw new PsybergException(
          String.format(
              "Process %s: sink table %s does not exist. Create it first (format v2), or fix option"
                  + " 'table'.",
              processName, table),
          e);
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  private List<Integer> equalityFieldIds(Schema schema) {
    if (!writeMode.isKeyed()) {
      return List.of();
    }
    List<Integer> ids = new ArrayList<>();
    if (upsertKey != null && !upsertKey.isEmpty()) {
      for (String column : upsertKey) {
        NestedField f = schema.findField(column);
        if (f == null) {
          throw new PsybergException(
              String.format(
                  "Process %s: upsert key column '%s' is not a column of sink table %s.",
                  processName, column, table));
        }
        ids.add(f.fieldId());
      }
    } else {
      Set<Integer> identifiers = schema.identifierFieldIds();
      ids.addAll(identifiers);
    }
    if (ids.isEmpty()) {
      throw new PsybergException(
          String.format(
              "Process %s: write-mode '%s' needs a key for sink table %s: declare PRIMARY KEY"
                  + " (...) NOT ENFORCED in the DDL, set 'upsert-key', or give the table identifier"
                  + " fields.",
              processName, writeMode, table));
    }
    return ids;
  }

  /**
   * A keyed sink whose parallelism differs from its input's would get its rows rebalanced: two
   * changes of one key inside one commit could reach two writers, where a delete does not reach the
   * row the other wrote in the same commit. Such input is keyed by the equality fields, so each
   * key's changes reach one writer in order (as Iceberg's own Flink sink does).
   */
  private DataStream<RowData> route(
      DataStream<RowData> input, RowType rowType, Schema schema, List<Integer> equalityIds) {
    if (!writeMode.isKeyed() || parallelism == null || parallelism == input.getParallelism()) {
      return input;
    }
    int[] positions = new int[equalityIds.size()];
    RowData.FieldGetter[] getters = new RowData.FieldGetter[equalityIds.size()];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = rowType.getFieldIndex(schema.findColumnName(equalityIds.get(i)));
      getters[i] = RowData.createFieldGetter(rowType.getTypeAt(positions[i]), positions[i]);
    }
    return input.keyBy(new EqualityKey(getters));
  }

  /** The row's equality-field values as one string key (stable across JVMs). */
  private static final class EqualityKey implements KeySelector<RowData, String> {
    private static final long serialVersionUID = 1L;
    private final RowData.FieldGetter[] getters;

    EqualityKey(RowData.FieldGetter[] getters) {
      this.getters = getters;
    }

    @Override
    public String getKey(RowData row) {
      StringBuilder key = new StringBuilder();
      for (RowData.FieldGetter getter : getters) {
        Object value = getter.getFieldOrNull(row);
        key.append(value == null ? "\\N" : value.toString().replace("|", "\\|")).append('|');
      }
      return key.toString();
    }
  }

  /**
   * An upsert deletes by key in the partition of the new row: a row whose partition changes with
   * its value would survive in the old partition. Such tables need the old row (retract).
   */
  private void checkUpsertPartitioning(Table target, List<Integer> equalityIds) {
    if (writeMode != WriteMode.UPSERT) {
      return;
    }
    for (PartitionField field : target.spec().fields()) {
      if (!equalityIds.contains(field.sourceId())) {
        throw new PsybergException(
            String.format(
                "Process %s: sink table %s is partitioned by column '%s', which is not part of the"
                    + " upsert key, so an upsert that changes it would leave the old row in its old"
                    + " partition. Use write-mode 'retract' (the job sends each replaced row's old"
                    + " value as UPDATE_BEFORE), or partition by key columns.",
                processName, table, target.schema().findColumnName(field.sourceId())));
      }
    }
  }

  private void checkInput(TypeInformation<RowData> type, RowType expected) {
    if (!(type instanceof InternalTypeInfo)) {
      return;
    }
    LogicalType actual = ((InternalTypeInfo<RowData>) type).toLogicalType();
    if (!(actual instanceof RowType)) {
      return;
    }
    RowType in = (RowType) actual;
    boolean same = in.getFieldCount() == expected.getFieldCount();
    for (int i = 0; same && i < in.getFieldCount(); i++) {
      same = in.getTypeAt(i).copy(true).equals(expected.getTypeAt(i).copy(true));
    }
    if (!same) {
      throw new PsybergException(
          String.format(
              "Process %s: the job writes rows %s but sink table %s has columns %s. Make the job's"
                  + " columns match the table's, in order.",
              processName, in.asSummaryString(), table, expected.asSummaryString()));
    }
  }
}
