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
 * Versioned serializer of {@link LifecycleEvent}. Layout v1: event id, account id, event type, plan
 * (nullable), event time in micros.
 */
public final class LifecycleEventSerializer extends ImmutableValueSerializer<LifecycleEvent> {

  public static final int VERSION_1 = 1;
  public static final int CURRENT_VERSION = VERSION_1;

  public static final LifecycleEventSerializer INSTANCE = new LifecycleEventSerializer();

  private static final long serialVersionUID = 1L;

  @Override
  public void serialize(LifecycleEvent record, DataOutputView target) throws IOException {
    StringValue.writeString(record.eventId(), target);
    target.writeLong(record.accountId());
    StringValue.writeString(record.eventType(), target);
    StringValue.writeString(record.plan(), target);
    target.writeLong(record.eventTimeMicros());
  }

  @Override
  public LifecycleEvent deserialize(DataInputView source) throws IOException {
    String eventId = StringValue.readString(source);
    long accountId = source.readLong();
    String eventType = StringValue.readString(source);
    String plan = StringValue.readString(source);
    return new LifecycleEvent(eventId, accountId, eventType, plan, source.readLong());
  }

  @Override
  public TypeSerializerSnapshot<LifecycleEvent> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Snapshot whose version is the layout version. */
  public static final class Snapshot extends VersionedSerializerSnapshot<LifecycleEvent> {

    @Override
    public int getCurrentVersion() {
      return CURRENT_VERSION;
    }

    @Override
    protected TypeSerializer<LifecycleEvent> serializerForVersion(int version) {
      return INSTANCE;
    }

    @Override
    protected Class<?> serializerClass() {
      return LifecycleEventSerializer.class;
    }
  }
}
