package io.psyberg.flink.sink.writer;

import static io.psyberg.flink.testutils.SinkHarnesses.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.sink.commit.CommittableState;
import io.psyberg.flink.sink.commit.PsybergCommittable;
import io.psyberg.flink.testutils.SinkHarnesses;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer operator on Flink's operator test harness, writing real files of a real table. */
class PsybergWriterOperatorTest {
  private static final String TARGET = "facts.events";
  private static final String PROCESS = "p_writer";

  @TempDir Path dir;
  private Warehouse wh;
  private Table table;
  private final JobID job = new JobID();
  private MockEnvironment env;
  private OneInputStreamOperatorTestHarness<RowData, byte[]> writer;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    table = wh.createEventsTable(TARGET);
    env = SinkHarnesses.environment(job);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (writer != null) {
      writer.close();
    }
    env.close();
    wh.close();
  }

  @Test
  void rowsBecomeOneCommittableBeforeTheBarrierAndNothingIsVisible() throws Exception {
    writer = open(WriteMode.APPEND, List.of());
    writer.processElement(event(RowKind.INSERT, "a-0", 1L, "basic"), 0L);
    writer.processElement(event(RowKind.INSERT, "a-1", 2L, "basic"), 0L);
    writer.processElement(event(RowKind.INSERT, "a-2", 3L, "basic"), 0L);

    writer.prepareSnapshotPreBarrier(1);

    List<PsybergCommittable> out = committables();
    assertThat(out).hasSize(1);
    PsybergCommittable c = out.get(0);
    assertThat(c.checkpointId()).isEqualTo(1);
    assertThat(c.jobId()).isEqualTo(job.toString());
    assertThat(c.rowCount()).isEqualTo(3);
    assertThat(c.deleteManifest()).isNull();
    List<DataFile> files = dataFiles(c);
    assertThat(files).isNotEmpty();
    assertThat(files.stream().mapToLong(DataFile::recordCount).sum()).isEqualTo(3);
    assertThat(files).allMatch(f -> table.io().newInputFile(f.path().toString()).exists());
    table.refresh();
    assertThat(table.currentSnapshot()).as("nothing is committed by the writer").isNull();
  }

  @Test
  void aCheckpointWithoutRowsEmitsNothingAndTheNextRowsGetTheirOwnCheckpoint() throws Exception {
    writer = open(WriteMode.APPEND, List.of());
    writer.prepareSnapshotPreBarrier(1);
    assertThat(committables()).isEmpty();

    writer.processElement(event(RowKind.INSERT, "a-0", 1L, "basic"), 0L);
    writer.prepareSnapshotPreBarrier(2);
    writer.processElement(event(RowKind.INSERT, "b-0", 2L, "basic"), 0L);
    writer.endInput();

    assertThat(committables())
        .extracting(PsybergCommittable::checkpointId)
        .containsExactly(2L, PsybergCommittable.END_OF_INPUT);
  }

  @Test
  void upsertWritesEqualityDeletesForUpdatedKeys() throws Exception {
    writer = open(WriteMode.UPSERT, List.of(2));
    writer.processElement(event(RowKind.INSERT, "a-0", 1L, "basic"), 0L);
    writer.processElement(event(RowKind.UPDATE_BEFORE, "a-0", 1L, "basic"), 0L);
    writer.processElement(event(RowKind.UPDATE_AFTER, "a-1", 1L, "premium"), 0L);
    writer.prepareSnapshotPreBarrier(1);

    PsybergCommittable c = committables().get(0);
    assertThat(c.dataManifest()).isNotNull();
    assertThat(c.deleteManifest()).isNotNull();
  }

  @Test
  void anAppendTargetRejectsChangelogRowsNamingProcessTableAndFix() throws Exception {
    writer = open(WriteMode.APPEND, List.of());
    assertThatThrownBy(
            () -> writer.processElement(event(RowKind.UPDATE_AFTER, "a-0", 1L, "basic"), 0L))
        .isInstanceOf(PsybergException.class)
        .hasMessageContaining("Process " + PROCESS)
        .hasMessageContaining("sink table " + TARGET)
        .hasMessageContaining("write-mode 'append'")
        .hasMessageContaining("UPDATE_AFTER")
        .hasMessageContaining("Use write-mode 'upsert'");
  }

  private OneInputStreamOperatorTestHarness<RowData, byte[]> open(
      WriteMode mode, List<Integer> equalityFieldIds) throws Exception {
    return SinkHarnesses.writer(wh.spec(), TARGET, PROCESS, mode, equalityFieldIds, env);
  }

  private List<PsybergCommittable> committables() throws Exception {
    List<PsybergCommittable> out = new ArrayList<>();
    for (byte[] bytes : writer.extractOutputValues()) {
      out.add(CommittableState.read(bytes));
    }
    return out;
  }

  private List<DataFile> dataFiles(PsybergCommittable c) throws Exception {
    List<DataFile> files = new ArrayList<>();
    try (ManifestReader<DataFile> reader =
        ManifestFiles.read(ManifestFiles.decode(c.dataManifest()), table.io(), table.specs())) {
      reader.forEach(f -> files.add(f.copy()));
    }
    return files;
  }
}
