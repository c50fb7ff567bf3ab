package io.psyberg.flink.stateful.sequence;

import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Type information of {@link Change} streams, so changelogs are shipped with {@link
 * ChangeSerializer}.
 */
public final class ChangeTypeInfo<T> extends TypeInformation<Change<T>> {

  private static final long serialVersionUID = 1L;

  private final TypeInformation<T> valueType;

  public ChangeTypeInfo(TypeInformation<T> valueType) {
    this.valueType = Objects.requireNonNull(valueType, "valueType");
  }

  public TypeInformation<T> valueType() {
    return valueType;
  }

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Class<Change<T>> getTypeClass() {
    return (Class) Change.class;
  }

  @Override
  public Map<String, TypeInformation<?>> getGenericParameters() {
    return Map.of("T", valueType);
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<Change<T>> createSerializer(ExecutionConfig config) {
    return new ChangeSerializer<>(valueType.createSerializer(config));
  }

  @Override
  public String toString() {
    return "Change<" + valueType + ">";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChangeTypeInfo<?> other
        && other.canEqual(this)
        && valueType.equals(other.valueType);
  }

  @Override
  public int hashCode() {
    return valueType.hashCode();
  }

  @Override
  public boolean canEqual(Object obj) {
    return obj instanceof ChangeTypeInfo;
  }
}
