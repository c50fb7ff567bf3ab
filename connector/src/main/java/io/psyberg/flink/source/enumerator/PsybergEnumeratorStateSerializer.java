package io.psyberg.flink.source.enumerator;

import io.psyberg.flink.source.split.PsybergSplit;
import io.psyberg.flink.source.split.PsybergSplitSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Versioned serializer of {@link PsybergEnumeratorState}; splits inside use their own versioned
 * layout.
 */
@Internal
public final class PsybergEnumeratorStateSerializer
    implements SimpleVersionedSerializer<PsybergEnumeratorState> {
  public static final PsybergEnumeratorStateSerializer INSTANCE =
      new PsybergEnumeratorStateSerializer();

  private static final int VERSION_1 = 1;
  private static final int CURRENT_VERSION = VERSION_1;

  @Override
  public int getVersion() {
    return CURRENT_VERSION;
  }

  @Override
  public byte[] serialize(PsybergEnumeratorState state) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(1024);
    Map<String, Long> positions = state.positions();
    out.writeBoolean(positions != null);
    if (positions != null) {
      out.writeInt(positions.size());
      for (Map.Entry<String, Long> e : positions.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeBoolean(e.getValue() != null);
        if (e.getValue() != null) {
          out.writeLong(e.getValue());
        }
      }
    }
    out.writeInt(PsybergSplitSerializer.INSTANCE.getVersion());
    out.writeInt(state.unassigned().size());
    for (PsybergSplit split : state.unassigned()) {
      PsybergSplitSerializer.INSTANCE.write(split, out);
    }
    out.writeBoolean(state.inFlightSessionId() != null);
    if (state.inFlightSessionId() != null) {
      out.writeUTF(state.inFlightSessionId());
    }
    out.writeInt(state.unfinishedSplitIds().size());
    for (String id : state.unfinishedSplitIds()) {
      out.writeUTF(id);
    }
    out.writeLong(state.readThroughCheckpoint());
    out.writeBoolean(state.planned());
    out.writeLong(state.checkpointId());
    return out.getCopyOfBuffer();
  }

  @Override
  public PsybergEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
    if (version != VERSION_1) {
      throw new IOException(
          "Unknown psyberg enumerator state version "
              + version
              + "; this build reads versions 1 to "
              + CURRENT_VERSION
              + ". Restore with a newer psyberg-flink.");
    }
    DataInputDeserializer in = new DataInputDeserializer(serialized);
    Map<String, Long> positions = null;
    if (in.readBoolean()) {
      positions = new LinkedHashMap<>();
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        String table = in.readUTF();
        positions.put(table, in.readBoolean() ? in.readLong() : null);
      }
    }
    int splitVersion = in.readInt();
    int splitCount = in.readInt();
    List<PsybergSplit> unassigned = new ArrayList<>(splitCount);
    for (int i = 0; i < splitCount; i++) {
      unassigned.add(PsybergSplitSerializer.INSTANCE.read(splitVersion, in));
    }
    String inFlight = in.readBoolean() ? in.readUTF() : null;
    int unfinishedCount = in.readInt();
    Set<String> unfinished = new LinkedHashSet<>();
    for (int i = 0; i < unfinishedCount; i++) {
      unfinished.add(in.readUTF());
    }
    long readThrough = in.readLong();
    boolean planned = in.readBoolean();
    long checkpointId = in.readLong();
    if (in.available() > 0) {
      throw new IOException(
          "Unexpected " + in.available() + " trailing bytes in psyberg enumerator state");
    }
    return new PsybergEnumeratorState(
        positions, unassigned, inFlight, unfinished, readThrough, planned, checkpointId);
  }
}
