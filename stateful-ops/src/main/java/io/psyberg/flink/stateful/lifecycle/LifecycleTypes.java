package io.psyberg.flink.stateful.lifecycle;

import io.psyberg.flink.stateful.sequence.Change;
import io.psyberg.flink.stateful.sequence.ChangeTypeInfo;
import io.psyberg.flink.stateful.typeutils.SerializerTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Flink type information of the lifecycle value types, each backed by its versioned serializer (no
 * Kryo).
 */
public final class LifecycleTypes {

  public static final TypeInformation<LifecycleEvent> EVENT =
      new SerializerTypeInfo<>(LifecycleEvent.class, LifecycleEventSerializer.INSTANCE);
  public static final TypeInformation<LifecycleState> STATE =
      new SerializerTypeInfo<>(LifecycleState.class, LifecycleStateSerializer.INSTANCE);
  public static final TypeInformation<Segment> SEGMENT =
      new SerializerTypeInfo<>(Segment.class, SegmentSerializer.INSTANCE);
  public static final TypeInformation<Anomaly> ANOMALY =
      new SerializerTypeInfo<>(Anomaly.class, AnomalySerializer.INSTANCE);
  public static final TypeInformation<Change<Segment>> SEGMENT_CHANGE =
      new ChangeTypeInfo<>(SEGMENT);
  public static final TypeInformation<Change<Anomaly>> ANOMALY_CHANGE =
      new ChangeTypeInfo<>(ANOMALY);

  private LifecycleTypes() {}
}
