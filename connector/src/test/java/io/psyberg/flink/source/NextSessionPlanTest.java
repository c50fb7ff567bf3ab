package io.psyberg.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A source plans the session it would read next from metadata, without recording it. */
class NextSessionPlanTest {
  private static final String SRC = "membership.events";
  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);

  @TempDir Path dir;
  private Warehouse wh;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createEventsTable(SRC);
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  @Test
  void plansEverySnapshotAfterTheHighWatermarkWithItsChangeRange() {
    long s1 = wh.append(SRC, Warehouse.events("a", 2, DAY1));
    long s2 = wh.append(SRC, Warehouse.events("b", 3, DAY1.plusDays(1)));
    PsybergSource source =
        PsybergSource.builder()
            .catalog(wh.spec())
            .processName("planned")
            .tables(SRC)
            .changeRangeColumn("event_ts")
            .build();

    Session next = source.planNextSession();

    assertThat(next.status()).isEqualTo(SessionStatus.PLANNED);
    SourceRange range = next.range(SRC);
    assertThat(range.fromSnapshotId()).isNull();
    assertThat(range.toSnapshotId()).isEqualTo(s2);
    assertThat(range.snapshotCount()).isEqualTo(2);
    assertThat(range.recordCount()).isEqualTo(5);
    assertThat(range.changeRange().min()).startsWith("2026-01-01");
    assertThat(range.changeRange().max()).startsWith("2026-01-02");
    assertThat(s1).isNotEqualTo(s2);
    // Nothing was recorded: planning again gives the same range.
    assertThat(source.planNextSession().range(SRC)).isEqualTo(range);
  }
}
