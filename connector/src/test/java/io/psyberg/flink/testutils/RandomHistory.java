package io.psyberg.flink.testutils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.deletes.PositionDelete;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.encryption.EncryptedOutputFile;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;

/**
 * Random histories of a real format v2 table for changelog tests: appends, partition and row-filter
 * overwrites, file deletes, equality deletes, Flink-upsert-style commits (new rows, an equality
 * delete of their keys and position deletes of rows replaced within the same commit), position
 * deletes of older rows, and compactions. Rows are {@code id} (unique), {@code k} (a small key
 * space), {@code v} and {@code p} (the partition column when partitioned). Each commit is one
 * snapshot; {@link #rowsAt} reads a snapshot's rows with Iceberg's own reader (the oracle).
 */
public final class RandomHistory {
  public static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.required(2, "k", Types.IntegerType.get()),
          Types.NestedField.optional(3, "v", Types.StringType.get()),
          Types.NestedField.required(4, "p", Types.IntegerType.get()));

  private static final int KEYS = 12;
  private static final int PARTITIONS = 3;

  private final Table table;
  private final Random random;
  private final boolean partitioned;
  private final boolean keyed;
  private final List<String> log = new ArrayList<>();
  private long nextId;
  private int fileIds;

  public RandomHistory(Table table, long seed) {
    this(table, seed, false);
  }

  private RandomHistory(Table table, long seed, boolean keyed) {
    this.table = table;
    this.random = new Random(seed);
    this.partitioned = table.spec().isPartitioned();
    this.keyed = keyed;
  }

  /**
   * A history in which {@code k} stays unique among live rows (a table keyed by {@code k}, as
   * upsert writers keep it): appends become upserts, overwrites write distinct keys, and a key
   * always lives in partition {@code k % 3}.
   */
  public static RandomHistory keyed(Table table, long seed) {
    return new RandomHistory(table, seed, true);
  }

  /**
   * Creates a format v2 table of {@link #SCHEMA} (its namespace too), with {@code k} as identifier
   * field when keyed, partitioned by {@code p} when asked.
   */
  public static Table createTable(
      org.apache.iceberg.catalog.Catalog catalog, String name, boolean keyed, boolean partitioned) {
    org.apache.iceberg.catalog.TableIdentifier id =
        org.apache.iceberg.catalog.TableIdentifier.parse(name);
    org.apache.iceberg.catalog.SupportsNamespaces ns =
        (org.apache.iceberg.catalog.SupportsNamespaces) catalog;
    if (!ns.namespaceExists(id.namespace())) {
      ns.createNamespace(id.namespace());
    }
    return catalog.createTable(
        id,
        keyed ? keyedSchema() : SCHEMA,
        partitioned ? partitionedSpec() : PartitionSpec.unpartitioned(),
        Map.of(org.apache.iceberg.TableProperties.FORMAT_VERSION, "2"));
  }

  /** {@link #SCHEMA} with {@code k} as its identifier field. */
  public static Schema keyedSchema() {
    return new Schema(SCHEMA.columns(), java.util.Set.of(2));
  }

  public static PartitionSpec partitionedSpec() {
    return PartitionSpec.builderFor(SCHEMA).identity("p").build();
  }

  /** What each step did, for failure messages. */
  public List<String> log() {
    return log;
  }

  /** Commits one random change (or, on an empty table, an append) and returns its snapshot id. */
  public long step() {
    table.refresh();
    boolean empty = table.currentSnapshot() == null || liveFiles().isEmpty();
    int op = empty ? 0 : random.nextInt(9);
    switch (op) {
      case 0:
      case 1:
        grow();
        break;
      case 2:
        replacePartition();
        break;
      case 3:
        overwriteByFilter();
        break;
      case 4:
        deleteFile();
        break;
      case 5:
        equalityDelete();
        break;
      case 6:
        upsert();
        break;
      case 7:
        positionDeleteOlder();
        break;
      default:
        compact();
    }
    table.refresh();
    return table.currentSnapshot().snapshotId();
  }

  /** {@code n} random {@link #step}s; their snapshot ids, oldest first. */
  public List<Long> steps(int n) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(step());
    }
    return out;
  }

  /** Appends rows of random keys as one snapshot. */
  public long append() {
    List<Record> rows = randomRows(1 + random.nextInt(6), null);
    org.apache.iceberg.AppendFiles append = table.newAppend();
    writeData(rows).forEach(append::appendFile);
    append.commit();
    log.add("append " + ids(rows));
    return current();
  }

  /**
   * Upsert of the given keys as Flink writes it: new rows, eq delete by key, same-commit pos
   * deletes.
   */
  public long upsert(List<Integer> keys) {
    List<Record> rows = new ArrayList<>();
    for (int k : keys) {
      rows.add(row(k, null));
    }
    return upsertRows(rows);
  }

  /** New rows: an append, or an upsert where keys stay unique. */
  private void grow() {
    if (keyed) {
      upsert();
    } else {
      append();
    }
  }

  private void replacePartition() {
    int p = random.nextInt(PARTITIONS);
    List<Record> rows = randomRows(1 + random.nextInt(4), partitioned ? p : null);
    org.apache.iceberg.ReplacePartitions replace = table.newReplacePartitions();
    writeData(rows).forEach(replace::addFile);
    replace.commit();
    log.add("replace partitions with " + ids(rows));
  }

  private void overwriteByFilter() {
    List<Record> rows;
    org.apache.iceberg.OverwriteFiles overwrite = table.newOverwrite();
    if (partitioned) {
      int p = random.nextInt(PARTITIONS);
      rows = randomRows(random.nextInt(4), p);
      overwrite.overwriteByRowFilter(Expressions.equal("p", p));
    } else {
      rows = randomRows(random.nextInt(4), null);
      overwrite.overwriteByRowFilter(Expressions.alwaysTrue());
    }
    writeData(rows).forEach(overwrite::addFile);
    overwrite.commit();
    log.add("overwrite by filter with " + ids(rows));
  }

  private void deleteFile() {
    List<DataFile> files = new ArrayList<>(liveFiles().keySet());
    DataFile f = files.get(random.nextInt(files.size()));
    table.newDelete().deleteFile(f).commit();
    log.add("delete file " + f.path());
  }

  private void equalityDelete() {
    List<Record> live = rowsAt(current());
    if (live.isEmpty()) {
      grow();
      return;
    }
    List<Record> victims = new ArrayList<>();
    for (Record r : live) {
      if (random.nextInt(3) == 0) {
        victims.add(r);
      }
    }
    if (victims.isEmpty()) {
      victims.add(live.get(random.nextInt(live.size())));
    }
    String column = keyed ? "k" : "id";
    RowDelta delta = table.newRowDelta();
    for (Map.Entry<StructLike, List<Record>> e : byPartition(victims).entrySet()) {
      List<Record> keys = new ArrayList<>();
      for (Record r : e.getValue()) {
        Record key = GenericRecord.create(SCHEMA.select(column));
        key.setField(column, r.getField(column));
        keys.add(key);
      }
      int fieldId = SCHEMA.findField(column).fieldId();
      delta.addDeletes(writeEqDeletes(SCHEMA.select(column), List.of(fieldId), keys, e.getKey()));
    }
    delta.commit();
    log.add("equality delete by " + column + " of ids " + ids(victims));
  }

  private void upsert() {
    List<Integer> keys = new ArrayList<>();
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      keys.add(random.nextInt(KEYS));
    }
    List<Record> rows = new ArrayList<>();
    for (int k : keys) {
      rows.add(row(k, partitioned ? random.nextInt(PARTITIONS) : null));
      if (random.nextBoolean()) {
        rows.add(row(k, (Integer) rows.get(rows.size() - 1).getField("p")));
      }
    }
    upsertRows(rows);
  }

  /**
   * One commit as a Flink upsert checkpoint: an equality delete on {@code k} per partition for the
   * keys written, the new rows, and position deletes of every new row but the last one of its key.
   */
  private long upsertRows(List<Record> rows) {
    RowDelta delta = table.newRowDelta();
    for (Map.Entry<StructLike, List<Record>> e : byPartition(rows).entrySet()) {
      List<Record> partRows = e.getValue();
      DataFile file = writeDataFile(partRows, e.getKey());
      delta.addRows(file);
      Set<Integer> keys = new HashSet<>();
      List<Record> keyRows = new ArrayList<>();
      Map<Integer, Integer> lastPos = new HashMap<>();
      for (int i = 0; i < partRows.size(); i++) {
        int k = (Integer) partRows.get(i).getField("k");
        lastPos.put(k, i);
        if (keys.add(k)) {
          Record key = GenericRecord.create(SCHEMA.select("k"));
          key.setField("k", k);
          keyRows.add(key);
        }
      }
      delta.addDeletes(writeEqDeletes(SCHEMA.select("k"), List.of(2), keyRows, e.getKey()));
      List<Long> replaced = new ArrayList<>();
      for (int i = 0; i < partRows.size(); i++) {
        if (lastPos.get((Integer) partRows.get(i).getField("k")) != i) {
          replaced.add((long) i);
        }
      }
      if (!replaced.isEmpty()) {
        delta.addDeletes(writePosDeletes(file.path().toString(), replaced, e.getKey()));
      }
    }
    delta.commit();
    log.add("upsert " + ids(rows));
    return current();
  }

  private void positionDeleteOlder() {
    Map<DataFile, List<DeleteFile>> files = liveFiles();
    List<DataFile> list = new ArrayList<>(files.keySet());
    DataFile f = list.get(random.nextInt(list.size()));
    List<Long> positions = new ArrayList<>();
    for (long pos = 0; pos < f.recordCount(); pos++) {
      if (random.nextInt(3) == 0) {
        positions.add(pos);
      }
    }
    if (positions.isEmpty()) {
      positions.add(0L);
    }
    StructLike partition = partitioned ? f.partition() : null;
    table
        .newRowDelta()
        .addDeletes(writePosDeletes(f.path().toString(), positions, partition))
        .commit();
    log.add("position delete " + positions + " of " + f.path());
  }

  /** Rewrites the live rows of one partition (or the table) into one file: a replace snapshot. */
  public void compact() {
    Map<DataFile, List<DeleteFile>> files = liveFiles();
    Integer p = partitioned ? random.nextInt(PARTITIONS) : null;
    Set<DataFile> old = new HashSet<>();
    for (DataFile f : files.keySet()) {
      if (p == null || p.equals(f.partition().get(0, Integer.class))) {
        old.add(f);
      }
    }
    if (old.isEmpty()) {
      grow();
      return;
    }
    List<Record> live = new ArrayList<>();
    for (Record r : rowsAt(current())) {
      if (p == null || p.equals(r.getField("p"))) {
        live.add(r);
      }
    }
    Set<DataFile> added = new HashSet<>(writeData(live));
    table.newRewrite().validateFromSnapshot(current()).rewriteFiles(old, added).commit();
    log.add("compact " + old.size() + " files into " + added.size());
  }

  /** The rows of a snapshot, as "id,k,v,p" strings, read by Iceberg (deletes applied). */
  public List<Record> rowsAt(@Nullable Long snapshotId) {
    List<Record> out = new ArrayList<>();
    if (snapshotId == null) {
      return out;
    }
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(table).useSnapshot(snapshotId).build()) {
      rows.forEach(r -> out.add(r.copy()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  public static String render(Record r) {
    return r.getField("id") + "," + r.getField("k") + "," + r.getField("v") + "," + r.getField("p");
  }

  private long current() {
    table.refresh();
    return table.currentSnapshot().snapshotId();
  }

  private Map<DataFile, List<DeleteFile>> liveFiles() {
    Map<DataFile, List<DeleteFile>> out = new LinkedHashMap<>();
    if (table.currentSnapshot() == null) {
      return out;
    }
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(t -> out.put(t.file(), t.deletes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private Record row(int k, @Nullable Integer p) {
    Record r = GenericRecord.create(SCHEMA);
    long id = nextId++;
    r.setField("id", id);
    r.setField("k", k);
    r.setField("v", "v" + id);
    int partition = p != null ? p : (partitioned ? random.nextInt(PARTITIONS) : 0);
    r.setField("p", keyed && partitioned ? k % PARTITIONS : partition);
    return r;
  }

  private List<Record> randomRows(int n, @Nullable Integer p) {
    List<Record> rows = new ArrayList<>();
    Set<Integer> used = new HashSet<>();
    for (int i = 0; i < n; i++) {
      int k = random.nextInt(KEYS);
      if (keyed && partitioned && p != null) {
        k = k - k % PARTITIONS + p;
      }
      if (keyed && !used.add(k)) {
        continue;
      }
      rows.add(row(k, p));
    }
    return rows;
  }

  private Map<StructLike, List<Record>> byPartition(List<Record> rows) {
    Map<StructLike, List<Record>> out = new LinkedHashMap<>();
    for (Record r : rows) {
      StructLike key = null;
      if (partitioned) {
        PartitionKey pk = new PartitionKey(table.spec(), table.schema());
        pk.partition(r);
        key = pk;
      }
      out.computeIfAbsent(key, x -> new ArrayList<>()).add(r);
    }
    return out;
  }

  private List<DataFile> writeData(List<Record> rows) {
    List<DataFile> out = new ArrayList<>();
    for (Map.Entry<StructLike, List<Record>> e : byPartition(rows).entrySet()) {
      out.add(writeDataFile(e.getValue(), e.getKey()));
    }
    return out;
  }

  private EncryptedOutputFile newFile(@Nullable StructLike partition) {
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 7, ++fileIds).format(FileFormat.PARQUET).build();
    return partition == null ? files.newOutputFile() : files.newOutputFile(table.spec(), partition);
  }

  private DataFile writeDataFile(List<Record> rows, @Nullable StructLike partition) {
    GenericAppenderFactory factory = new GenericAppenderFactory(table.schema(), table.spec());
    DataWriter<Record> writer =
        factory.newDataWriter(newFile(partition), FileFormat.PARQUET, partition);
    try (DataWriter<Record> w = writer) {
      rows.forEach(w::write);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.toDataFile();
  }

  private DeleteFile writeEqDeletes(
      Schema deleteSchema, List<Integer> fieldIds, List<Record> keys, @Nullable StructLike part) {
    GenericAppenderFactory factory =
        new GenericAppenderFactory(
            table.schema(),
            table.spec(),
            fieldIds.stream().mapToInt(Integer::intValue).toArray(),
            deleteSchema,
            null);
    EqualityDeleteWriter<Record> writer =
        factory.newEqDeleteWriter(newFile(part), FileFormat.PARQUET, part);
    try (EqualityDeleteWriter<Record> w = writer) {
      keys.forEach(w::write);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.toDeleteFile();
  }

  private DeleteFile writePosDeletes(String path, List<Long> positions, @Nullable StructLike part) {
    GenericAppenderFactory factory = new GenericAppenderFactory(table.schema(), table.spec());
    PositionDeleteWriter<Record> writer =
        factory.newPosDeleteWriter(newFile(part), FileFormat.PARQUET, part);
    try (PositionDeleteWriter<Record> w = writer) {
      for (long pos : positions) {
        PositionDelete<Record> d = PositionDelete.create();
        w.write(d.set(path, pos, null));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.toDeleteFile();
  }

  private static List<Object> ids(List<Record> rows) {
    List<Object> out = new ArrayList<>();
    rows.forEach(r -> out.add(r.getField("id")));
    return out;
  }
}
