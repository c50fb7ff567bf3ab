package io.psyberg.flink.stateful.lifecycle;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Round trips of {@link SegmentSerializer}, open and closed segments. */
class SegmentSerializerTest extends SerializerTestBase<Segment> {

  @Override
  protected TypeSerializer<Segment> createSerializer() {
    return SegmentSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<Segment> getTypeClass() {
    return Segment.class;
  }

  @Override
  protected boolean allowNullInstances(TypeSerializer<Segment> serializer) {
    return true;
  }

  @Override
  protected Segment[] getTestData() {
    return new Segment[] {
      new Segment(1L, 1, LifecycleStatus.ACTIVE, "basic", 10L, null, "s1"),
      new Segment(1L, 2, LifecycleStatus.ON_HOLD, "basic", 10L, 20L, "h1"),
      new Segment(-1L, 99, LifecycleStatus.CANCELED, null, Long.MIN_VALUE, Long.MAX_VALUE, "ç"),
    };
  }
}
