package io.psyberg.flink.sink.commit;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Versioned serializer of {@link PsybergCommittable}; manifests inside are Iceberg-encoded. */
@Internal
public final class PsybergCommittableSerializer
    implements SimpleVersionedSerializer<PsybergCommittable> {
  public static final PsybergCommittableSerializer INSTANCE = new PsybergCommittableSerializer();

  private static final int VERSION_1 = 1;
  private static final int CURRENT_VERSION = VERSION_1;

  @Override
  public int getVersion() {
    return CURRENT_VERSION;
  }

  @Override
  public byte[] serialize(PsybergCommittable c) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    out.writeUTF(c.jobId());
    out.writeLong(c.checkpointId());
    out.writeInt(c.subtask());
    out.writeLong(c.rowCount());
    writeBytes(out, c.dataManifest());
    writeBytes(out, c.deleteManifest());
    return out.getCopyOfBuffer();
  }

  @Override
  public PsybergCommittable deserialize(int version, byte[] serialized) throws IOException {
    if (version != VERSION_1) {
      throw new IOException(
          "Unknown psyberg committable version "
              + version
              + "; this build reads versions 1 to "
              + CURRENT_VERSION
              + ". Restore with a newer psyberg-flink.");
    }
    DataInputDeserializer in = new DataInputDeserializer(serialized);
    PsybergCommittable c =
        new PsybergCommittable(
            in.readUTF(), in.readLong(), in.readInt(), in.readLong(), readBytes(in), readBytes(in));
    if (in.available() > 0) {
      throw new IOException(
          "Unexpected " + in.available() + " trailing bytes in a psyberg committable");
    }
    return c;
  }

  private static void writeBytes(DataOutputSerializer out, byte[] bytes) throws IOException {
    out.writeInt(bytes == null ? -1 : bytes.length);
    if (bytes != null) {
      out.write(bytes);
    }
  }

  private static byte[] readBytes(DataInputDeserializer in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
