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
 * Versioned serializer of {@link LifecycleState}. Layout v1: status code, plan (nullable), account
 * id, current segment number, its start in micros, its opening event id (nullable).
 */
public final class LifecycleStateSerializer extends ImmutableValueSerializer<LifecycleState> {

  public static final int VERSION_1 = 1;
  public static final int CURRENT_VERSION = VERSION_1;

  public static final LifecycleStateSerializer INSTANCE = new LifecycleStateSerializer();

  private static final long serialVersionUID = 1L;

  @Override
  public void serialize(LifecycleState record, DataOutputView target) throws IOException {
    target.writeByte(record.status().code());
    StringValue.writeString(record.plan(), target);
    target.writeLong(record.accountId());
    target.writeInt(record.segmentNo());
    target.writeLong(record.segmentFromMicros());
    StringValue.writeString(record.segmentOpenedBy(), target);
  }

  @Override
  public LifecycleState deserialize(DataInputView source) throws IOException {
    LifecycleStatus status = LifecycleStatus.fromCode(source.readByte());
    String plan = StringValue.readString(source);
    long accountId = source.readLong();
    int segmentNo = source.readInt();
    long segmentFrom = source.readLong();
    return new LifecycleState(
        status, plan, accountId, segmentNo, segmentFrom, StringValue.readString(source));
  }

  @Override
  public TypeSerializerSnapshot<LifecycleState> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Snapshot whose version is the layout version. */
  public static final class Snapshot extends VersionedSerializerSnapshot<LifecycleState> {

    @Override
    public int getCurrentVersion() {
      return CURRENT_VERSION;
    }

    @Override
    protected TypeSerializer<LifecycleState> serializerForVersion(int version) {
      return INSTANCE;
    }

    @Override
    protected Class<?> serializerClass() {
      return LifecycleStateSerializer.class;
    }
  }
}
