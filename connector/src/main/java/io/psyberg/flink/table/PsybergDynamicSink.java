package io.psyberg.flink.table;

import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.sink.PsybergSinkBuilder;
import io.psyberg.flink.source.PsybergSourceOptions;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.transformations.LegacySourceTransformation;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.UniqueConstraint;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.sink.DataStreamSinkProvider;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.data.RowData;

/** The SQL side of {@link PsybergSink}: write mode, key and audits from the table options. */
final class PsybergDynamicSink implements DynamicTableSink {
  private final TableOptions options;
  private final ResolvedSchema schema;

  PsybergDynamicSink(TableOptions options, ResolvedSchema schema) {
    this.options = options;
    this.schema = schema;
  }

  private String ctx() {
    return options.context();
  }

  @Override
  public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
    switch (options.write.writeMode()) {
      case UPSERT:
        return ChangelogMode.upsert();
      case RETRACT:
        return ChangelogMode.all(); // the planner sends -U before-images
      default:
        return ChangelogMode.insertOnly();
    }
  }

  @Override
  public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
    String table = options.write.table().trim();
    SchemaCheck.checkSameColumns(
        schema,
        SchemaCheck.load(options.catalog, table, options.sqlName, options.process()),
        options.sqlName,
        table);
    PsybergSink sink = buildSink();
    return new DataStreamSinkProvider() {
      @Override
      public DataStreamSink<?> consumeDataStream(
          ProviderContext providerContext, DataStream<RowData> dataStream) {
        if (hasUnboundedSource(dataStream)
            && !dataStream
                .getExecutionEnvironment()
                .getCheckpointConfig()
                .isCheckpointingEnabled()) {
          throw new ValidationException(
              ctx()
                  + ": a continuous job publishes at checkpoints, but checkpointing is off."
                  + " Enable it, e.g. SET 'execution.checkpointing.interval' = '10s'.");
        }
        return sink.append(dataStream);
      }
    };
  }

  private static boolean hasUnboundedSource(DataStream<RowData> stream) {
    for (Transformation<?> t : stream.getTransformation().getTransitivePredecessors()) {
      if (t instanceof SourceTransformation
          && ((SourceTransformation<?, ?, ?>) t).getBoundedness()
              == Boundedness.CONTINUOUS_UNBOUNDED) {
        return true;
      }
      if (t instanceof LegacySourceTransformation
          && ((LegacySourceTransformation<?>) t).getBoundedness()
              == Boundedness.CONTINUOUS_UNBOUNDED) {
        return true;
      }
    }
    return false;
  }

  PsybergSink buildSink() {
    PsybergSinkBuilder b =
        PsybergSink.builder().catalog(options.catalog).setAll(options.sinkOptions());
    if (options.write.upsertKey() == null) {
      schema.getPrimaryKey().map(UniqueConstraint::getColumns).ifPresent(b::upsertKey);
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ValidationException(e.getMessage(), e);
    }
  }

  @Override
  public DynamicTableSink copy() {
    return new PsybergDynamicSink(options, schema);
  }

  @Override
  public String asSummaryString() {
    return "psyberg sink " + options.raw.get(PsybergSourceOptions.TABLE.key());
  }
}
