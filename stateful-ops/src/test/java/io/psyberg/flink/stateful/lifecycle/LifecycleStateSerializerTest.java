package io.psyberg.flink.stateful.lifecycle;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Round trips of {@link LifecycleStateSerializer} for every status, with and without a current
 * segment.
 */
class LifecycleStateSerializerTest extends SerializerTestBase<LifecycleState> {

  @Override
  protected TypeSerializer<LifecycleState> createSerializer() {
    return LifecycleStateSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<LifecycleState> getTypeClass() {
    return LifecycleState.class;
  }

  @Override
  protected boolean allowNullInstances(TypeSerializer<LifecycleState> serializer) {
    return true;
  }

  @Override
  protected LifecycleState[] getTestData() {
    return new LifecycleState[] {
      LifecycleState.INITIAL,
      new LifecycleState(LifecycleStatus.ACTIVE, "basic", 7L, 1, 1_767_225_600_000_000L, "s1"),
      new LifecycleState(LifecycleStatus.ON_HOLD, "premium", 7L, 12, -3L, "h"),
      new LifecycleState(
          LifecycleStatus.CANCELED, null, Long.MIN_VALUE, Integer.MAX_VALUE, 0L, "c"),
    };
  }
}
