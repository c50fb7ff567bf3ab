package io.psyberg.flink.examples.reliability;

import io.psyberg.flink.metadata.MetadataTableSchemas;
import io.psyberg.flink.sink.audit.AuditRunner;
import io.psyberg.flink.sink.commit.PsybergCommitterOperator;
import io.psyberg.flink.sink.commit.SessionPublisher;
import io.psyberg.flink.sink.writer.PsybergWriterOperator;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.iceberg.ManageSnapshots;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.flink.source.DataIterator;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * A Hadoop FileIO that fires the {@link FaultInjector}'s armed fault at the operation it names.
 * Jobs get it through the catalog option {@code catalog.io-impl}, Iceberg's own way to plug storage
 * in, so the jobs under test are the examples' jobs unchanged. An operation is matched to a {@link
 * FaultPoint} by the file (a data file, a table of the metadata namespace) and by the types of the
 * psyberg, Flink and Iceberg code on the stack, so a renamed or moved class breaks the build here
 * instead of silently disarming a fault point.
 *
 * <p>A write fault is thrown before the file is created, so a failed commit never becomes visible:
 * what is tested is the recovery of everything around it (a failed task, a job re-run, a restore).
 */
public class FaultyFileIO extends HadoopFileIO {
  private static final long serialVersionUID = 1L;

  private static final StackWalker STACK =
      StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

  @Override
  public InputFile newInputFile(String path) {
    check(path, false);
    return super.newInputFile(path);
  }

  @Override
  public InputFile newInputFile(String path, long length) {
    check(path, false);
    return super.newInputFile(path, length);
  }

  @Override
  public OutputFile newOutputFile(String path) {
    check(path, true);
    return super.newOutputFile(path);
  }

  private static void check(String path, boolean write) {
    if (FaultInjector.armedPoint() == null) {
      return;
    }
    FaultPoint point = classify(path, write);
    if (point != null) {
      FaultInjector.reached(
          point, path.substring(path.lastIndexOf('/', path.lastIndexOf('/') - 1) + 1));
    }
  }

  /**
   * The point an operation belongs to, or null when it is none of them (e.g. a test reading a
   * table).
   */
  static FaultPoint classify(String path, boolean write) {
    boolean metadataTable =
        path.contains("/psyberg/" + MetadataTableSchemas.SESSIONS + "/")
            || path.contains("/psyberg/" + MetadataTableSchemas.HIGH_WATERMARKS + "/");
    Frames f = STACK.walk(frames -> frames.collect(Frames::new, Frames::add, (a, b) -> {}));
    if (f.audit) {
      return FaultPoint.AUDIT;
    }
    if (write && f.writer) {
      return FaultPoint.WRITER;
    }
    if (!write && f.reader && !metadataTable && path.endsWith(".parquet")) {
      return FaultPoint.READER;
    }
    if (write && metadataTable) {
      return f.committer ? FaultPoint.METADATA : f.enumerator ? FaultPoint.PLANNING : null;
    }
    if (write && f.publisher && f.snapshotUpdate) {
      return FaultPoint.STAGE;
    }
    if (write && f.publisher && f.refChange) {
      return FaultPoint.PUBLISH;
    }
    return null;
  }

  /**
   * What code is on the stack, by type. Under the publisher, a snapshot-producing commit ({@link
   * SnapshotUpdate}: append, row delta, overwrite) is the stage; a branch change ({@link
   * ManageSnapshots}) outside one is the publish (the fast-forward of main, or the removal of a
   * branch an earlier attempt left).
   */
  private static final class Frames {
    boolean writer;
    boolean reader;
    boolean audit;
    boolean committer;
    boolean enumerator;
    boolean publisher;
    boolean snapshotUpdate;
    boolean refChange;

    void add(StackWalker.StackFrame frame) {
      Class<?> cls = frame.getDeclaringClass();
      writer |= cls == PsybergWriterOperator.class;
      reader |= SplitReader.class.isAssignableFrom(cls) || DataIterator.class.isAssignableFrom(cls);
      audit |= cls == AuditRunner.class;
      committer |= cls == PsybergCommitterOperator.class;
      enumerator |= SplitEnumerator.class.isAssignableFrom(cls);
      publisher |= cls == SessionPublisher.class;
      snapshotUpdate |= SnapshotUpdate.class.isAssignableFrom(cls);
      refChange |= ManageSnapshots.class.isAssignableFrom(cls);
    }
  }
}
