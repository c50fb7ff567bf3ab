package io.psyberg.flink.stateful.sequence;

import io.psyberg.flink.stateful.typeutils.ImmutableValueSerializer;
import io.psyberg.flink.stateful.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Versioned serializer of {@link SequenceProgress}. Layout v1: last time, last event id, oldest
 * kept time. Public only because Flink instantiates its snapshot by name.
 */
@Internal
public final class SequenceProgressSerializer extends ImmutableValueSerializer<SequenceProgress> {

  public static final int VERSION_1 = 1;
  public static final int CURRENT_VERSION = VERSION_1;

  public static final SequenceProgressSerializer INSTANCE = new SequenceProgressSerializer();

  private static final long serialVersionUID = 1L;

  @Override
  public void serialize(SequenceProgress record, DataOutputView target) throws IOException {
    target.writeLong(record.last().timeMicros());
    StringValue.writeString(record.last().eventId(), target);
    target.writeLong(record.oldestKeptMicros());
  }

  @Override
  public SequenceProgress deserialize(DataInputView source) throws IOException {
    long lastTime = source.readLong();
    String lastId = StringValue.readString(source);
    return new SequenceProgress(new SequencePosition(lastTime, lastId), source.readLong());
  }

  @Override
  public TypeSerializerSnapshot<SequenceProgress> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Snapshot whose version is the layout version. */
  public static final class Snapshot extends VersionedSerializerSnapshot<SequenceProgress> {

    @Override
    public int getCurrentVersion() {
      return CURRENT_VERSION;
    }

    @Override
    protected TypeSerializer<SequenceProgress> serializerForVersion(int version) {
      return INSTANCE;
    }

    @Override
    protected Class<?> serializerClass() {
      return SequenceProgressSerializer.class;
    }
  }
}
