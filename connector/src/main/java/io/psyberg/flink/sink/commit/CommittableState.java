package io.psyberg.flink.sink.commit;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * A committable in operator state: its serializer version, then its bytes, so old state stays
 * readable.
 */
@Internal
public final class CommittableState {
  private CommittableState() {}

  public static byte[] write(PsybergCommittable c) throws IOException {
    byte[] body = PsybergCommittableSerializer.INSTANCE.serialize(c);
    DataOutputSerializer out = new DataOutputSerializer(body.length + 4);
    out.writeInt(PsybergCommittableSerializer.INSTANCE.getVersion());
    out.write(body);
    return out.getCopyOfBuffer();
  }

  public static PsybergCommittable read(byte[] bytes) throws IOException {
    DataInputDeserializer in = new DataInputDeserializer(bytes);
    int version = in.readInt();
    byte[] body = new byte[bytes.length - 4];
    in.readFully(body);
    return PsybergCommittableSerializer.INSTANCE.deserialize(version, body);
  }
}
