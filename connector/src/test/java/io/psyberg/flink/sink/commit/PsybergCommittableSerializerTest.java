package io.psyberg.flink.sink.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PsybergCommittableSerializerTest {
  private final PsybergCommittableSerializer ser = PsybergCommittableSerializer.INSTANCE;

  @Test
  void roundTripsWithAndWithoutManifests() throws Exception {
    PsybergCommittable full =
        new PsybergCommittable("job", 12, 3, 99, new byte[] {1, 2, 3}, new byte[] {4});
    PsybergCommittable bare =
        new PsybergCommittable("job", PsybergCommittable.END_OF_INPUT, 0, 0, null, null);
    assertThat(ser.deserialize(ser.getVersion(), ser.serialize(full))).isEqualTo(full);
    assertThat(ser.deserialize(ser.getVersion(), ser.serialize(bare))).isEqualTo(bare);
    assertThat(CommittableState.read(CommittableState.write(full))).isEqualTo(full);
  }

  @Test
  void rejectsUnknownVersions() {
    assertThatThrownBy(() -> ser.deserialize(5, new byte[0])).hasMessageContaining("version 5");
  }
}
