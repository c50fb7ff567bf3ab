package io.psyberg.flink.examples.reliability;

import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * A Hadoop FileIO that fires the {@link FaultInjector}'s armed fault at the operation it names.
 * Jobs get it through the catalog option {@code catalog.io-impl}, Iceberg's own way to plug storage
 * in, so the jobs under test are the examples' jobs unchanged. An operation is matched to a {@link
 * FaultPoint} by the file (a data file, a table of the metadata namespace) and by the psyberg or
 * Iceberg code on the stack.
 *
 * <p>A write fault is thrown before the file is created, so a failed commit never becomes visible:
 * what is tested is the recovery of everything around it (a failed task, a job re-run, a restore).
 */
public class FaultyFileIO extends HadoopFileIO {
  private static final long serialVersionUID = 1L;

  private static final String WRITER = "io.psyberg.flink.sink.writer.PsybergWriterOperator";
  private static final String COMMITTER = "io.psyberg.flink.sink.commit.PsybergCommitterOperator";
  private static final String PUBLISHER = "io.psyberg.flink.sink.commit.SessionPublisher";
  private static final String STAGER = "io.psyberg.flink.sink.commit.SessionStager";
  private static final String AUDIT_RUNNER = "io.psyberg.flink.sink.audit.AuditRunner";
  private static final String ENUMERATOR =
      "io.psyberg.flink.source.enumerator.PsybergSplitEnumerator";

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
        path.contains("/psyberg/sessions/") || path.contains("/psyberg/high_watermarks/");
    Frames f =
        StackWalker.getInstance()
            .walk(
                frames -> {
                  Frames seen = new Frames();
                  frames.forEach(frame -> seen.add(frame.getClassName(), frame.getMethodName()));
                  return seen;
                });
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
    if (write && "stage".equals(f.publisherMethod)) {
      return FaultPoint.STAGE;
    }
    if (write && "publish".equals(f.publisherMethod)) {
      return FaultPoint.PUBLISH;
    }
    return null;
  }

  /**
   * What psyberg and Iceberg code is on the stack; for the publisher, its innermost method ("stage"
   * in the stager).
   */
  private static final class Frames {
    boolean writer;
    boolean reader;
    boolean audit;
    boolean committer;
    boolean enumerator;
    String publisherMethod;

    void add(String cls, String method) {
      if (cls.equals(WRITER)) {
        writer = true;
      } else if (cls.startsWith("io.psyberg.flink.source.reader.")
          || cls.startsWith("org.apache.iceberg.flink.source.reader.")) {
        reader = true;
      } else if (cls.equals(AUDIT_RUNNER)) {
        audit = true;
      } else if (cls.equals(STAGER) && publisherMethod == null) {
        publisherMethod = "stage";
      } else if (cls.equals(PUBLISHER) && publisherMethod == null) {
        publisherMethod = method;
      } else if (cls.equals(COMMITTER)) {
        committer = true;
      } else if (cls.equals(ENUMERATOR)) {
        enumerator = true;
      }
    }
  }
}
