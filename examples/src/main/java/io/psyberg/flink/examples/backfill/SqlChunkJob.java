package io.psyberg.flink.examples.backfill;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * One Flink job for several chunks of a SQL backfill. Each chunk's INSERTs are planned in the
 * chunk's own SQL session (its placeholders, its temporary objects) and their file writers are
 * joined here into one job, submitted once: a job per chunk costs a submission and a scheduling
 * round each. What every writer reported comes back per chunk and target, so each chunk is still
 * committed on its own.
 */
final class SqlChunkJob {
  /** One INSERT of one chunk: the stream of what its writer tasks report. */
  record Writer(int chunk, String target, DataStream<byte[]> files) {}

  private static final TypeInformation<Tuple2<Integer, byte[]>> TAGGED =
      Types.TUPLE(Types.INT, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  private final List<Writer> writers = new ArrayList<>();
  @Nullable private StreamExecutionEnvironment env;

  /** Adds a chunk's writers; the first chunk's environment runs the job. */
  void add(List<Writer> planned) {
    for (Writer w : planned) {
      if (env == null) {
        env = w.files().getExecutionEnvironment();
      }
      writers.add(w);
    }
  }

  /**
   * Runs the job and returns what each chunk wrote, chunk to target to the writers' messages; a
   * chunk of no INSERT has no entry.
   */
  Map<Integer, Map<String, List<byte[]>>> run(String jobName) throws Exception {
    Map<Integer, Map<String, List<byte[]>>> out = new LinkedHashMap<>();
    if (env == null) {
      return out;
    }
    DataStream<Tuple2<Integer, byte[]>> all = null;
    for (int i = 0; i < writers.size(); i++) {
      Writer w = writers.get(i);
      out.computeIfAbsent(w.chunk(), c -> new LinkedHashMap<>())
          .computeIfAbsent(w.target(), t -> new ArrayList<>());
      // a stream planned in another chunk's session joins this job by its transformation
      DataStream<byte[]> files = new DataStream<>(env, w.files().getTransformation());
      DataStream<Tuple2<Integer, byte[]>> tagged =
          files
              .map(new Tag(i))
              .returns(TAGGED)
              .name("files of chunk " + w.chunk() + " of " + w.target())
              .setParallelism(files.getParallelism());
      all = all == null ? tagged : all.union(tagged);
    }
    try (CloseableIterator<Tuple2<Integer, byte[]>> it = all.collectAsync()) {
      env.execute(jobName);
      while (it.hasNext()) {
        Tuple2<Integer, byte[]> t = it.next();
        Writer w = writers.get(t.f0);
        out.get(w.chunk()).get(w.target()).add(t.f1);
      }
    }
    return out;
  }

  /** Marks a writer's messages with the writer's index in the job. */
  private static final class Tag implements MapFunction<byte[], Tuple2<Integer, byte[]>> {
    private static final long serialVersionUID = 1L;
    private final int writer;

    Tag(int writer) {
      this.writer = writer;
    }

    @Override
    public Tuple2<Integer, byte[]> map(byte[] value) {
      return Tuple2.of(writer, value);
    }
  }
}
