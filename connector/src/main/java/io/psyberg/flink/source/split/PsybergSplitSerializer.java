package io.psyberg.flink.source.split;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.iceberg.flink.source.split.IcebergSourceSplit;
import org.apache.iceberg.flink.source.split.IcebergSourceSplitSerializer;

/**
 * Versioned serializer of {@link PsybergSplit}. Layout v1: session id, table, snapshot id, commit
 * time, index, then Iceberg's split with its own serializer version (so Iceberg's layout can evolve
 * apart). v2 adds the split's kind (a byte, after the index); v1 splits are {@code ADDED}. v3 adds,
 * after the kind, whether it is the last split of its session (a boolean) and its replay position
 * (an int and a long, -1 for none); earlier splits are neither.
 */
@Internal
public final class PsybergSplitSerializer implements SimpleVersionedSerializer<PsybergSplit> {
  public static final PsybergSplitSerializer INSTANCE = new PsybergSplitSerializer();

  private static final int VERSION_1 = 1;
  private static final int VERSION_2 = 2;
  private static final int VERSION_3 = 3;
  private static final int CURRENT_VERSION = VERSION_3;

  private final IcebergSourceSplitSerializer iceberg = new IcebergSourceSplitSerializer(true);

  @Override
  public int getVersion() {
    return CURRENT_VERSION;
  }

  @Override
  public byte[] serialize(PsybergSplit split) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(1024);
    write(split, out);
    return out.getCopyOfBuffer();
  }

  /** Writes the current layout into a larger structure (enumerator state). */
  public void write(PsybergSplit split, DataOutputSerializer out) throws IOException {
    out.writeUTF(split.sessionId());
    out.writeUTF(split.table());
    out.writeLong(split.snapshotId());
    out.writeLong(split.committedAtMillis());
    out.writeInt(split.index());
    out.writeByte(split.kind().ordinal());
    out.writeBoolean(split.lastOfSession());
    out.writeInt(split.replayThroughFile());
    out.writeLong(split.replayThroughRecord());
    byte[] inner = iceberg.serialize(split.icebergSplit());
    out.writeInt(iceberg.getVersion());
    out.writeInt(inner.length);
    out.write(inner);
  }

  @Override
  public PsybergSplit deserialize(int version, byte[] serialized) throws IOException {
    DataInputDeserializer in = new DataInputDeserializer(serialized);
    PsybergSplit split = read(version, in);
    if (in.available() > 0) {
      throw new IOException(
          "Unexpected "
              + in.available()
              + " trailing bytes after a psyberg split (version "
              + version
              + ")");
    }
    return split;
  }

  /** Reads one split of the given layout version from a larger structure. */
  public PsybergSplit read(int version, DataInputDeserializer in) throws IOException {
    switch (version) {
      case VERSION_1:
      case VERSION_2:
      case VERSION_3:
        String sessionId = in.readUTF();
        String table = in.readUTF();
        long snapshotId = in.readLong();
        long committedAt = in.readLong();
        int index = in.readInt();
        PsybergSplit.Kind kind = version == VERSION_1 ? PsybergSplit.Kind.ADDED : kind(in);
        boolean last = version >= VERSION_3 && in.readBoolean();
        int replayFile = version >= VERSION_3 ? in.readInt() : -1;
        long replayRecord = version >= VERSION_3 ? in.readLong() : -1;
        int innerVersion = in.readInt();
        byte[] inner = new byte[in.readInt()];
        in.readFully(inner);
        IcebergSourceSplit icebergSplit = iceberg.deserialize(innerVersion, inner);
        return new PsybergSplit(
            sessionId,
            table,
            snapshotId,
            committedAt,
            index,
            icebergSplit,
            kind,
            last,
            replayFile,
            replayRecord);
      default:
        throw new IOException(
            "Unknown psyberg split version "
                + version
                + "; this build reads versions 1 to "
                + CURRENT_VERSION
                + ". Restore with a newer psyberg-flink.");
    }
  }

  private static PsybergSplit.Kind kind(DataInputDeserializer in) throws IOException {
    int ordinal = in.readByte();
    PsybergSplit.Kind[] kinds = PsybergSplit.Kind.values();
    if (ordinal < 0 || ordinal >= kinds.length) {
      throw new IOException("Unknown psyberg split kind " + ordinal);
    }
    return kinds[ordinal];
  }
}
