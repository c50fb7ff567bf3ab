package io.psyberg.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.testutils.RandomHistory;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key of a changelog read: where it comes from, and the errors of a bad one. */
class ChangelogOptionsTest {
  @TempDir Path dir;

  private PsybergSourceBuilder source(Warehouse wh) {
    return PsybergSource.builder().catalog(wh.spec()).processName("p").tables("ns.t");
  }

  @Test
  void keyComesFromTheOptionElseTheIdentifierFieldsAndOnlyForChangelogReads() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      RandomHistory.createTable(wh.catalog(), "ns.t", true, false);
      RandomHistory.createTable(wh.catalog(), "ns.plain", false, false);
      assertThat(source(wh).build().changelogKey()).isEmpty();
      assertThat(source(wh).nonAppendSnapshots(NonAppendSnapshots.CHANGELOG).build().changelogKey())
          .containsExactly("k");
      assertThat(
              source(wh)
                  .nonAppendSnapshots(NonAppendSnapshots.CHANGELOG)
                  .changelogKey(List.of("id"))
                  .build()
                  .changelogKey())
          .containsExactly("id");
      assertThat(
              PsybergSource.builder()
                  .catalog(wh.spec())
                  .processName("p")
                  .tables("ns.plain")
                  .nonAppendSnapshots(NonAppendSnapshots.CHANGELOG)
                  .build()
                  .changelogKey())
          .isEmpty();
    }
  }

  @Test
  void badKeysNameTheOptionAndWhatToDo() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      RandomHistory.createTable(wh.catalog(), "ns.t", true, false);
      assertThatThrownBy(() -> source(wh).changelogKey(List.of("k")).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Process p")
          .hasMessageContaining("'changelog-key'")
          .hasMessageContaining("'non-append-snapshots' = 'changelog'");
      PsybergSource unknown =
          source(wh)
              .nonAppendSnapshots(NonAppendSnapshots.CHANGELOG)
              .changelogKey(List.of("nope"))
              .build();
      assertThatThrownBy(unknown::changelogKey)
          .isInstanceOf(PsybergException.class)
          .hasMessageContaining("'changelog-key' column 'nope'")
          .hasMessageContaining("ns.t");
    }
  }
}
