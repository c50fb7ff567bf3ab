package io.psyberg.flink.stateful.sequence;

import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.RowKind;

/**
 * Serializer of {@link Change}: the row kind as Flink's byte value, then the value with its own
 * serializer.
 */
public final class ChangeSerializer<T> extends TypeSerializer<Change<T>> {

  private static final long serialVersionUID = 1L;

  private final TypeSerializer<T> valueSerializer;

  public ChangeSerializer(TypeSerializer<T> valueSerializer) {
    this.valueSerializer = Objects.requireNonNull(valueSerializer, "valueSerializer");
  }

  TypeSerializer<T> valueSerializer() {
    return valueSerializer;
  }

  @Override
  public boolean isImmutableType() {
    return valueSerializer.isImmutableType();
  }

  @Override
  public TypeSerializer<Change<T>> duplicate() {
    TypeSerializer<T> duplicated = valueSerializer.duplicate();
    return duplicated == valueSerializer ? this : new ChangeSerializer<>(duplicated);
  }

  @Override
  public Change<T> createInstance() {
    return null;
  }

  @Override
  public Change<T> copy(Change<T> from) {
    return valueSerializer.isImmutableType()
        ? from
        : new Change<>(from.kind(), valueSerializer.copy(from.value()));
  }

  @Override
  public Change<T> copy(Change<T> from, Change<T> reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(Change<T> record, DataOutputView target) throws IOException {
    target.writeByte(record.kind().toByteValue());
    valueSerializer.serialize(record.value(), target);
  }

  @Override
  public Change<T> deserialize(DataInputView source) throws IOException {
    RowKind kind = RowKind.fromByteValue(source.readByte());
    return new Change<>(kind, valueSerializer.deserialize(source));
  }

  @Override
  public Change<T> deserialize(Change<T> reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    target.writeByte(source.readByte());
    valueSerializer.copy(source, target);
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof ChangeSerializer<?> other
        && valueSerializer.equals(other.valueSerializer);
  }

  @Override
  public int hashCode() {
    return valueSerializer.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<Change<T>> snapshotConfiguration() {
    return new ChangeSerializerSnapshot<>(this);
  }

  /** Snapshot: outer layout version plus the value serializer's own snapshot. */
  public static final class ChangeSerializerSnapshot<T>
      extends CompositeTypeSerializerSnapshot<Change<T>, ChangeSerializer<T>> {

    private static final int VERSION_1 = 1;
    private static final int CURRENT_VERSION = VERSION_1;

    /** Used by Flink when reading a snapshot. */
    public ChangeSerializerSnapshot() {
      super(ChangeSerializer.class);
    }

    ChangeSerializerSnapshot(ChangeSerializer<T> serializer) {
      super(serializer);
    }

    @Override
    protected int getCurrentOuterSnapshotVersion() {
      return CURRENT_VERSION;
    }

    @Override
    protected TypeSerializer<?>[] getNestedSerializers(ChangeSerializer<T> outer) {
      return new TypeSerializer<?>[] {outer.valueSerializer};
    }

    @Override
    @SuppressWarnings("unchecked")
    protected ChangeSerializer<T> createOuterSerializerWithNestedSerializers(
        TypeSerializer<?>[] nested) {
      return new ChangeSerializer<>((TypeSerializer<T>) nested[0]);
    }
  }
}
