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
 * Versioned serializer of {@link Segment}. Layout v1: account id, segment number, state code, plan
 * (nullable), valid-from micros, valid-to presence flag and micros, opening event id.
 */
public final class SegmentSerializer extends ImmutableValueSerializer<Segment> {

  public static final int VERSION_1 = 1;
  public static final int CURRENT_VERSION = VERSION_1;

  public static final SegmentSerializer INSTANCE = new SegmentSerializer();

  private static final long serialVersionUID = 1L;

  @Override
  public void serialize(Segment record, DataOutputView target) throws IOException {
    target.writeLong(record.accountId());
    target.writeInt(record.segmentNo());
    target.writeByte(record.state().code());
    StringValue.writeString(record.plan(), target);
    target.writeLong(record.validFromMicros());
    target.writeBoolean(record.validToMicros() != null);
    if (record.validToMicros() != null) {
      target.writeLong(record.validToMicros());
    }
    StringValue.writeString(record.openedByEventId(), target);
  }

  @Override
  public Segment deserialize(DataInputView source) throws IOException {
    long accountId = source.readLong();
    int segmentNo = source.readInt();
    LifecycleStatus state = LifecycleStatus.fromCode(source.readByte());
    String plan = StringValue.readString(source);
    long validFrom = source.readLong();
    Long validTo = source.readBoolean() ? source.readLong() : null;
    return new Segment(
        accountId, segmentNo, state, plan, validFrom, validTo, StringValue.readString(source));
  }

  @Override
  public TypeSerializerSnapshot<Segment> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Snapshot whose version is the layout version. */
  public static final class Snapshot extends VersionedSerializerSnapshot<Segment> {

    @Override
    public int getCurrentVersion() {
      return CURRENT_VERSION;
    }

    @Override
    protected TypeSerializer<Segment> serializerForVersion(int version) {
      return INSTANCE;
    }

    @Override
    protected Class<?> serializerClass() {
      return SegmentSerializer.class;
    }
  }
}
