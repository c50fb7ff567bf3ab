package io.psyberg.flink.source.planned;

import io.psyberg.flink.source.split.PsybergSplit;
import io.psyberg.flink.source.split.PsybergSplitSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Versioned form of {@link PlannedSplits}: the count, then each split as the split serializer
 * writes it.
 */
@Internal
public final class PlannedSplitsSerializer implements SimpleVersionedSerializer<PlannedSplits> {
  public static final PlannedSplitsSerializer INSTANCE = new PlannedSplitsSerializer();
  private static final int VERSION = 1;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(PlannedSplits state) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    out.writeInt(PsybergSplitSerializer.INSTANCE.getVersion());
    out.writeInt(state.splits().size());
    for (PsybergSplit split : state.splits()) {
      PsybergSplitSerializer.INSTANCE.write(split, out);
    }
    return out.getCopyOfBuffer();
  }

  @Override
  public PlannedSplits deserialize(int version, byte[] serialized) throws IOException {
    if (version != VERSION) {
      throw new IOException(
          "Unknown version "
              + version
              + " of the planned splits state (this build reads "
              + VERSION
              + ")");
    }
    DataInputDeserializer in = new DataInputDeserializer(serialized);
    int splitVersion = in.readInt();
    int n = in.readInt();
    List<PsybergSplit> splits = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      splits.add(PsybergSplitSerializer.INSTANCE.read(splitVersion, in));
    }
    return new PlannedSplits(splits);
  }
}
