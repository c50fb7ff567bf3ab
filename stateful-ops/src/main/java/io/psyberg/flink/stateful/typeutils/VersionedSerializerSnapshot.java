package io.psyberg.flink.stateful.typeutils;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Snapshot of a parameterless serializer whose snapshot version is the version of its binary
 * layout.
 *
 * <p>Restoring state written with an older layout yields that layout's serializer, so Flink
 * migrates the state; a layout newer than this code knows fails the restore with a message naming
 * the supported range.
 */
public abstract class VersionedSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {

  private int readVersion = getCurrentVersion();

  /** The serializer that reads and writes the given layout version. */
  protected abstract TypeSerializer<T> serializerForVersion(int version);

  /** The serializer class this snapshot belongs to; other classes are incompatible. */
  protected abstract Class<?> serializerClass();

  @Override
  public final void writeSnapshot(DataOutputView out) {
    // the version written by Flink next to the snapshot is all the configuration there is
  }

  @Override
  public final void readSnapshot(int version, DataInputView in, ClassLoader classLoader)
      throws IOException {
    if (version < 1 || version > getCurrentVersion()) {
      throw new IOException(
          String.format(
              "Cannot restore state written by %s with layout version %d: this build supports"
                  + " versions 1 to %d. Restore with the psyberg-flink version that wrote the"
                  + " state, or start without it.",
              serializerClass().getSimpleName(), version, getCurrentVersion()));
    }
    this.readVersion = version;
  }

  @Override
  public final TypeSerializer<T> restoreSerializer() {
    return serializerForVersion(readVersion);
  }

  @Override
  public final TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
      TypeSerializer<T> newSerializer) {
    if (!serializerClass().isInstance(newSerializer)) {
      return TypeSerializerSchemaCompatibility.incompatible();
    }
    return readVersion == getCurrentVersion()
        ? TypeSerializerSchemaCompatibility.compatibleAsIs()
        : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
  }
}
