package io.psyberg.flink.sink.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.session.Processing;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestWriter;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.encryption.EncryptedOutputFile;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upsert session whose rows span two checkpoints, with one key updated in each: the later
 * checkpoint's equality delete must remove the earlier checkpoint's version of the row.
 */
class UpsertAcrossCheckpointsTest {
  private static final Schema LATEST =
      new Schema(
          List.of(
              Types.NestedField.required(1, "account_id", Types.LongType.get()),
              Types.NestedField.optional(2, "plan", Types.StringType.get())),
          Set.of(1));

  @TempDir Path dir;
  private Warehouse wh;
  private Table table;
  private GenericAppenderFactory files;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    table = wh.createTable("facts.latest", LATEST);
    files =
        new GenericAppenderFactory(
            LATEST, table.spec(), new int[] {1}, LATEST.select("account_id"), null);
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  @Test
  void aKeyUpdatedInALaterCheckpointOfTheSameSessionKeepsOnlyItsNewVersion() throws Exception {
    // Checkpoint 1 inserts accounts 1 and 2; checkpoint 2 updates account 1 (delete + insert).
    PsybergCommittable first = committable(1, List.of(row(1, "basic"), row(2, "basic")), List.of());
    PsybergCommittable second = committable(2, List.of(row(1, "premium")), List.of(key(1)));
    Session session =
        Session.builder()
            .sessionId("s-upsert")
            .processName("latest")
            .mode("continuous")
            .processing(Processing.STATEFUL)
            .jobId("job")
            .status(SessionStatus.PLANNED)
            .startedAt(Instant.now())
            .build();
    SessionPublisher publisher =
        new SessionPublisher(
            wh.catalog(),
            "psyberg",
            TableIdentifier.parse("facts.latest"),
            "latest",
            WriteMode.UPSERT,
            List.of(),
            null,
            PublishHook.NONE);

    Optional<Long> published = publisher.publish(session, List.of(second, first), "job", 2);

    assertThat(published).isPresent();
    table.refresh();
    assertThat(rows()).containsExactlyInAnyOrder("1:premium", "2:basic");
    // Staged as one commit per checkpoint; only the last carries the session and its high
    // watermark.
    Snapshot last = table.snapshot(published.get());
    Snapshot before = table.snapshot(last.parentId());
    assertThat(last.summary()).containsEntry("psyberg.session-ids", "s-upsert");
    assertThat(before.summary()).doesNotContainKey("psyberg.session-ids");
    assertThat(before.parentId()).isNull();
  }

  private List<String> rows() throws Exception {
    return Pipelines.rows(table).stream()
        .map(r -> r.getField("account_id") + ":" + r.getField("plan"))
        .collect(Collectors.toList());
  }

  private static Record row(long account, String plan) {
    GenericRecord r = GenericRecord.create(LATEST);
    r.setField("account_id", account);
    r.setField("plan", plan);
    return r;
  }

  private static Record key(long account) {
    GenericRecord r = GenericRecord.create(LATEST.select("account_id"));
    r.setField("account_id", account);
    return r;
  }

  private PsybergCommittable committable(
      long checkpoint, List<Record> inserts, List<Record> deletes) throws Exception {
    DataWriter<Record> data = files.newDataWriter(output(), FileFormat.PARQUET, null);
    try (DataWriter<Record> w = data) {
      inserts.forEach(w::write);
    }
    ManifestWriter<DataFile> dataManifest =
        ManifestFiles.write(2, table.spec(), table.io().newOutputFile(manifestPath()), 0L);
    try (ManifestWriter<DataFile> w = dataManifest) {
      w.add(data.toDataFile());
    }
    byte[] deleteBytes = null;
    if (!deletes.isEmpty()) {
      EqualityDeleteWriter<Record> eq = files.newEqDeleteWriter(output(), FileFormat.PARQUET, null);
      try (EqualityDeleteWriter<Record> w = eq) {
        deletes.forEach(w::write);
      }
      ManifestWriter<DeleteFile> deleteManifest =
          ManifestFiles.writeDeleteManifest(
              2, table.spec(), table.io().newOutputFile(manifestPath()), 0L);
      try (ManifestWriter<DeleteFile> w = deleteManifest) {
        w.add(eq.toDeleteFile());
      }
      deleteBytes = ManifestFiles.encode(deleteManifest.toManifestFile());
    }
    ManifestFile manifest = dataManifest.toManifestFile();
    return new PsybergCommittable(
        "job", checkpoint, 0, inserts.size(), ManifestFiles.encode(manifest), deleteBytes);
  }

  private EncryptedOutputFile output() {
    return EncryptedFiles.plainAsEncryptedOutput(
        table
            .io()
            .newOutputFile(
                table.locationProvider().newDataLocation(UUID.randomUUID() + ".parquet")));
  }

  private String manifestPath() {
    return table.location() + "/metadata/test-" + UUID.randomUUID() + "-m0.avro";
  }
}
