package io.psyberg.flink.stateful.lifecycle;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Round trips of {@link AnomalySerializer} for every reason. */
class AnomalySerializerTest extends SerializerTestBase<Anomaly> {

  @Override
  protected TypeSerializer<Anomaly> createSerializer() {
    return AnomalySerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<Anomaly> getTypeClass() {
    return Anomaly.class;
  }

  @Override
  protected boolean allowNullInstances(TypeSerializer<Anomaly> serializer) {
    return true;
  }

  @Override
  protected Anomaly[] getTestData() {
    AnomalyReason[] reasons = AnomalyReason.values();
    Anomaly[] data = new Anomaly[reasons.length];
    for (int i = 0; i < reasons.length; i++) {
      data[i] = new Anomaly("e" + i, i, "TYPE" + i, 1_000_000L * i - 7, reasons[i]);
    }
    return data;
  }
}
