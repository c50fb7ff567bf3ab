package io.psyberg.flink.stateful.typeutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.stateful.lifecycle.AnomalySerializer;
import io.psyberg.flink.stateful.lifecycle.LifecycleEventSerializer;
import io.psyberg.flink.stateful.lifecycle.LifecycleStateSerializer;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Restore rules of the versioned snapshots: same layout as is, other serializer incompatible, newer
 * layout fails.
 */
class VersionedSerializerSnapshotTest {

  @Test
  void snapshotRoundTripResolvesAsCompatibleAsIs() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(
        out, LifecycleStateSerializer.INSTANCE.snapshotConfiguration());
    TypeSerializerSnapshot<Object> restored =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
    assertThat(restored.restoreSerializer()).isSameAs(LifecycleStateSerializer.INSTANCE);
    @SuppressWarnings({"unchecked", "rawtypes"})
    TypeSerializerSnapshot<Object> raw = (TypeSerializerSnapshot) restored;
    assertThat(
            raw.resolveSchemaCompatibility((TypeSerializer) LifecycleStateSerializer.INSTANCE)
                .isCompatibleAsIs())
        .isTrue();
    assertThat(
            raw.resolveSchemaCompatibility((TypeSerializer) AnomalySerializer.INSTANCE)
                .isIncompatible())
        .isTrue();
  }

  @Test
  void aLayoutNewerThanThisBuildFailsWithTheSupportedRange() {
    LifecycleEventSerializer.Snapshot snapshot = new LifecycleEventSerializer.Snapshot();
    assertThatThrownBy(
            () ->
                snapshot.readSnapshot(
                    LifecycleEventSerializer.CURRENT_VERSION + 1,
                    new DataInputDeserializer(new byte[0]),
                    null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("LifecycleEventSerializer")
        .hasMessageContaining("supports versions 1 to " + LifecycleEventSerializer.CURRENT_VERSION);
  }
}
