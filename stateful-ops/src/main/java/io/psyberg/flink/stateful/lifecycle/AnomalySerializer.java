package io.psyberg.flink.stateful.lifecycle;

import io.psyberg.flink.stateful.typeutils.ImmutableValueSerializer;
import io.psyberg.flink.stateful.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Versioned serializer of {@link Anomaly}. Layout v1: event id, account id, event type, event time
 * in micros, reason code.
 */
public final class AnomalySerializer extends ImmutableValueSerializer<Anomaly> {

  public static final int VERSION_1 = 1;
  public static final int CURRENT_VERSION = VERSION_1;

  public static final AnomalySerializer INSTANCE = new AnomalySerializer();

  private static final long serialVersionUID = 1L;

  @Override
  public void serialize(Anomaly record, DataOutputView target) throws IOException {
    StringValue.writeString(record.eventId(), target);
    target.writeLong(record.accountId());
    StringValue.writeString(record.eventType(), target);
    target.writeLong(record.eventTimeMicros());
    target.writeByte(record.reason().code());
  }

  @Override
  public Anomaly deserialize(DataInputView source) throws IOException {
    String eventId = StringValue.readString(source);
    long accountId = source.readLong();
    String eventType = StringValue.readString(source);
    long eventTime = source.readLong();
    return new Anomaly(
        eventId, accountId, eventType, eventTime, AnomalyReason.fromCode(source.readByte()));
  }

  @Override
  public TypeSerializerSnapshot<Anomaly> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Snapshot whose version is the layout version. */
  public static final class Snapshot extends VersionedSerializerSnapshot<Anomaly> {

    @Override
    public int getCurrentVersion() {
      return CURRENT_VERSION;
    }

    @Override
    protected TypeSerializer<Anomaly> serializerForVersion(int version) {
      return INSTANCE;
    }

    @Override
    protected Class<?> serializerClass() {
      return AnomalySerializer.class;
    }
  }
}
