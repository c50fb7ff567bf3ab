package io.psyberg.flink.stateful.sequence;

import io.psyberg.flink.stateful.lifecycle.LifecycleStatus;
import io.psyberg.flink.stateful.lifecycle.Segment;
import io.psyberg.flink.stateful.lifecycle.SegmentSerializer;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.types.RowKind;

/** Round trips of {@link ChangeSerializer} for every row kind, and its composite snapshot. */
class ChangeSerializerTest extends SerializerTestBase<Change<Segment>> {

  @Override
  protected TypeSerializer<Change<Segment>> createSerializer() {
    return new ChangeSerializer<>(SegmentSerializer.INSTANCE);
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  protected Class<Change<Segment>> getTypeClass() {
    return (Class) Change.class;
  }

  @Override
  protected boolean allowNullInstances(TypeSerializer<Change<Segment>> serializer) {
    return true;
  }

  @Override
  @SuppressWarnings("unchecked")
  protected Change<Segment>[] getTestData() {
    RowKind[] kinds = RowKind.values();
    Change<Segment>[] data = new Change[kinds.length];
    for (int i = 0; i < kinds.length; i++) {
      data[i] =
          new Change<>(
              kinds[i],
              new Segment(
                  i,
                  i + 1,
                  LifecycleStatus.ACTIVE,
                  i % 2 == 0 ? null : "p",
                  i,
                  i % 2 == 0 ? null : 9L,
                  "e"));
    }
    return data;
  }
}
