package io.psyberg.flink.stateful.lifecycle;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Round trips of {@link LifecycleEventSerializer}, including NULL plans, non-ASCII and very long
 * strings.
 */
class LifecycleEventSerializerTest extends SerializerTestBase<LifecycleEvent> {

  @Override
  protected TypeSerializer<LifecycleEvent> createSerializer() {
    return LifecycleEventSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<LifecycleEvent> getTypeClass() {
    return LifecycleEvent.class;
  }

  @Override
  protected boolean allowNullInstances(TypeSerializer<LifecycleEvent> serializer) {
    return true;
  }

  @Override
  protected LifecycleEvent[] getTestData() {
    return new LifecycleEvent[] {
      new LifecycleEvent("e1", 1L, "SIGNUP", "basic", 1_767_225_600_000_000L),
      new LifecycleEvent("e2", -5L, "CANCEL", null, -1L),
      new LifecycleEvent("ünïcødé-✓", Long.MAX_VALUE, "UPGRADE", "plän", Long.MIN_VALUE),
      new LifecycleEvent("x".repeat(70_000), 0L, "", "", 0L),
    };
  }
}
