package io.psyberg.flink.source;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.catalog.ReadOnlyTables;
import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.planning.HighWatermarkResolver;
import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.SessionPlanner;
import io.psyberg.flink.planning.SessionSettings;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.source.enumerator.PsybergEnumeratorState;
import io.psyberg.flink.source.enumerator.PsybergEnumeratorStateSerializer;
import io.psyberg.flink.source.enumerator.PsybergSplitEnumerator;
import io.psyberg.flink.source.reader.PsybergSourceReader;
import io.psyberg.flink.source.reader.ReadSchemas;
import io.psyberg.flink.source.reader.UpdatePairing;
import io.psyberg.flink.source.split.PsybergSplit;
import io.psyberg.flink.source.split.PsybergSplitSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A FLIP-27 source that reads a process's sessions: every snapshot of its source tables after the
 * committed high watermark, bounded (one session, then finish) or continuous (a session per
 * discovery). Build it with {@link #builder()}.
 */
@PublicEvolving
public final class PsybergSource
    implements Source<RowData, PsybergSplit, PsybergEnumeratorState>, ResultTypeQueryable<RowData> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(PsybergSource.class);

  /**
   * Names of the metadata columns appended when {@link PsybergSourceBuilder#withMetadataColumns} is
   * on.
   */
  public static final List<String> METADATA_COLUMNS =
      List.of("source_table", "snapshot_id", "session_id", "snapshot_committed_at");

  private final CatalogSpec catalog;
  private final SessionSettings settings;
  private final Duration monitorInterval;
  private final long splitSizeBytes;
  @Nullable private final List<String> projectedColumns;
  private final boolean withMetadata;
  private final List<Expression> filters;
  @Nullable private RowType rowType;
  private final List<String> changelogKey;
  @Nullable private List<String> resolvedKey;

  PsybergSource(
      CatalogSpec catalog,
      SessionSettings settings,
      Duration monitorInterval,
      long splitSizeBytes,
      @Nullable List<String> projectedColumns,
      boolean withMetadata,
      List<Expression> filters,
      @Nullable RowType rowType,
      List<String> changelogKey) {
    this.changelogKey = List.copyOf(changelogKey);
    this.filters = List.copyOf(filters);
    this.catalog = catalog;
    this.settings = settings;
    this.monitorInterval = monitorInterval;
    this.splitSizeBytes = splitSizeBytes;
    this.projectedColumns = projectedColumns == null ? null : List.copyOf(projectedColumns);
    this.withMetadata = withMetadata;
    this.rowType = rowType;
  }

  public static PsybergSourceBuilder builder() {
    return new PsybergSourceBuilder();
  }

  @Internal
  public SessionSettings settings() {
    return settings;
  }

  public CatalogSpec catalog() {
    return catalog;
  }

  /**
   * Plans, from metadata only and without recording it, the session a bounded run of this source
   * would read next: e.g. to size a lookback from its change ranges, then read exactly that session
   * with {@link PsybergSourceBuilder#endAt}. Opens the catalog; call it while building a job.
   */
  public Session planNextSession() {
    Catalog c = catalog.open();
    try {
      Map<String, Long> positions =
          HighWatermarkResolver.resolve(
              c, new HighWatermarkMirror(c, catalog.metadataNamespace()), settings);
      return new SessionPlanner(c, settings).plan("next-session-plan", null, positions).session();
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  /**
   * A changelog read's key columns: option 'changelog-key', else the first source table's
   * identifier fields; empty when neither is set (changes then stay -D/+I) or the source does not
   * read changes. Opens the catalog the first time; call it while building a job.
   */
  public synchronized List<String> changelogKey() {
    if (settings.nonAppendSnapshots() != NonAppendSnapshots.CHANGELOG) {
      return List.of();
    }
    if (resolvedKey == null) {
      Table table = loadFirstTable();
      List<String> key =
          changelogKey.isEmpty()
              ? List.copyOf(table.schema().identifierFieldNames())
              : changelogKey;
      for (String column : key) {
        if (table.schema().findField(column) == null) {
          throw new PsybergException(
              String.format(
                  "Process %s: 'changelog-key' column '%s' is not a column of source table %s"
                      + " (columns: %s). Fix option 'changelog-key', or remove it to use the"
                      + " table's identifier fields.",
                  settings.processName(),
                  column,
                  settings.sourceTables().get(0),
                  table.schema().columns().stream().map(c -> c.name()).toList()));
        }
      }
      if (key.isEmpty()) {
        LOG.info(
            "Process {}: source table {} has no identifier fields and no 'changelog-key'; its"
                + " changes come as -D/+I, never -U/+U.",
            settings.processName(),
            settings.sourceTables().get(0));
      }
      resolvedKey = key;
    }
    return resolvedKey;
  }

  private Table loadFirstTable() {
    Catalog c = catalog.open();
    try {
      return ReadOnlyTables.load(c, TableIdentifier.parse(settings.sourceTables().get(0)));
    } catch (NoSuchTableException e) {
      throw new PsybergException(
          String.format(
              "Process %s: source table %s does not exist in the catalog. Create it, or fix the"
                  + " source table name (option 'table' in SQL, --source on the command line).",
              settings.processName(), settings.sourceTables().get(0)),
          e);
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  @Override
  public Boundedness getBoundedness() {
    return settings.continuous() ? Boundedness.CONTINUOUS_UNBOUNDED : Boundedness.BOUNDED;
  }

  @Internal
  @Override
  public SourceReader<RowData, PsybergSplit> createReader(SourceReaderContext context) {
    return new PsybergSourceReader(
        context, catalog, projectedColumns, withMetadata, filters, updatePairing());
  }

  /**
   * A continuous changelog read with a key among its columns pairs each session's removals and
   * additions on the reader (-U/+U); a bounded one leaves that to {@link ChangelogUpdates}.
   */
  @Nullable
  private UpdatePairing updatePairing() {
    if (!settings.continuous() || !pairsOnReader()) {
      return null;
    }
    rowType();
    RowType physical = rowType;
    List<String> key = changelogKey();
    int[] indexes = new int[key.size()];
    for (int i = 0; i < indexes.length; i++) {
      indexes[i] = physical.getFieldIndex(key.get(i));
    }
    return new UpdatePairing(physical, indexes);
  }

  /**
   * Whether a continuous read of this source gives -U/+U by itself: it reads changes, has a key,
   * and the key's columns are among those read.
   */
  public boolean pairsOnReader() {
    if (settings.nonAppendSnapshots() != NonAppendSnapshots.CHANGELOG) {
      return false;
    }
    List<String> key = changelogKey();
    return !key.isEmpty() && (projectedColumns == null || projectedColumns.containsAll(key));
  }

  @Internal
  @Override
  public SplitEnumerator<PsybergSplit, PsybergEnumeratorState> createEnumerator(
      SplitEnumeratorContext<PsybergSplit> context) {
    return new PsybergSplitEnumerator(
        context,
        catalog,
        settings,
        monitorInterval,
        splitSizeBytes,
        PsybergEnumeratorState.initial());
  }

  @Internal
  @Override
  public SplitEnumerator<PsybergSplit, PsybergEnumeratorState> restoreEnumerator(
      SplitEnumeratorContext<PsybergSplit> context, PsybergEnumeratorState state) {
    return new PsybergSplitEnumerator(
        context, catalog, settings, monitorInterval, splitSizeBytes, state);
  }

  @Override
  public SimpleVersionedSerializer<PsybergSplit> getSplitSerializer() {
    return PsybergSplitSerializer.INSTANCE;
  }

  @Override
  public SimpleVersionedSerializer<PsybergEnumeratorState> getEnumeratorCheckpointSerializer() {
    return PsybergEnumeratorStateSerializer.INSTANCE;
  }

  /**
   * The row type of emitted records: the (projected) table columns, then metadata columns if
   * enabled.
   */
  public synchronized RowType rowType() {
    if (rowType == null) {
      // Read when the job graph is built, not in build(): the first source table's schema.
      Table table = loadFirstTable();
      rowType = FlinkSchemaUtil.convert(ReadSchemas.project(table.schema(), projectedColumns));
    }
    if (!withMetadata) {
      return rowType;
    }
    List<RowType.RowField> fields = new ArrayList<>(rowType.getFields());
    LogicalType[] types = {
      new VarCharType(false, VarCharType.MAX_LENGTH),
      new BigIntType(false),
      new VarCharType(false, VarCharType.MAX_LENGTH),
      new LocalZonedTimestampType(false, 3)
    };
    for (int i = 0; i < METADATA_COLUMNS.size(); i++) {
      fields.add(new RowType.RowField(METADATA_COLUMNS.get(i), types[i]));
    }
    return new RowType(false, fields);
  }

  @Override
  public TypeInformation<RowData> getProducedType() {
    return InternalTypeInfo.of(rowType());
  }
}
