package io.psyberg.flink.stateful.sequence;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Round trips of {@link SequenceProgressSerializer}. */
class SequenceProgressSerializerTest extends SerializerTestBase<SequenceProgress> {

  @Override
  protected TypeSerializer<SequenceProgress> createSerializer() {
    return SequenceProgressSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<SequenceProgress> getTypeClass() {
    return SequenceProgress.class;
  }

  @Override
  protected boolean allowNullInstances(TypeSerializer<SequenceProgress> serializer) {
    return true;
  }

  @Override
  protected SequenceProgress[] getTestData() {
    return new SequenceProgress[] {
      SequenceProgress.first(new SequencePosition(5L, "a")),
      new SequenceProgress(
          new SequencePosition(Long.MAX_VALUE, "z".repeat(70_000)), SequenceProgress.NONE_KEPT),
      new SequenceProgress(new SequencePosition(Long.MIN_VALUE, ""), Long.MIN_VALUE),
    };
  }
}
