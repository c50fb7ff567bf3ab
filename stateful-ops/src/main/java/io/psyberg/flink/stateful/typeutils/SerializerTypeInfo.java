package io.psyberg.flink.stateful.typeutils;

import java.util.Objects;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Type information backed by a given serializer, so our value types travel and sit in state through
 * their own versioned serializers instead of falling back to Kryo.
 */
public final class SerializerTypeInfo<T> extends TypeInformation<T> {

  private static final long serialVersionUID = 1L;

  private final Class<T> typeClass;
  private final TypeSerializer<T> serializer;

  public SerializerTypeInfo(Class<T> typeClass, TypeSerializer<T> serializer) {
    this.typeClass = Objects.requireNonNull(typeClass, "typeClass");
    this.serializer = Objects.requireNonNull(serializer, "serializer");
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
  public Class<T> getTypeClass() {
    return typeClass;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<T> createSerializer(ExecutionConfig config) {
    return serializer.duplicate();
  }

  @Override
  public String toString() {
    return "SerializerTypeInfo<" + typeClass.getSimpleName() + ">";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SerializerTypeInfo<?> other
        && other.canEqual(this)
        && typeClass.equals(other.typeClass)
        && serializer.equals(other.serializer);
  }

  @Override
  public int hashCode() {
    return Objects.hash(typeClass, serializer);
  }

  @Override
  public boolean canEqual(Object obj) {
    return obj instanceof SerializerTypeInfo;
  }
}
