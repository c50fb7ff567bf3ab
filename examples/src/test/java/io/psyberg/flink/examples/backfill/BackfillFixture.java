package io.psyberg.flink.examples.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.backfill.BackfillBranch;
import io.psyberg.flink.examples.testutils.CliRun;
import io.psyberg.flink.testutils.Warehouse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.util.SnapshotUtil;

/** What the backfill tests share: CLI runs on a warehouse, and reading facts and chunk commits. */
final class BackfillFixture {
  private BackfillFixture() {}

  /** The CLI on {@code wh}'s warehouse, in this JVM. */
  static CliRun cli(Warehouse wh, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--warehouse");
    all.add(wh.dir());
    return CliRun.of(all.toArray(new String[0]));
  }

  static CliRun ok(CliRun run) {
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return run;
  }

  /** Signup facts as sorted {@code event_id|account_id|plan|event_ts|signup_date} lines. */
  static List<String> facts(List<Record> rows) {
    return rows.stream()
        .map(
            r ->
                r.getField("event_id")
                    + "|"
                    + r.getField("account_id")
                    + "|"
                    + r.getField("plan")
                    + "|"
                    + r.getField("event_ts")
                    + "|"
                    + r.getField("signup_date"))
        .sorted()
        .collect(Collectors.toList());
  }

  /** The chunk numbers of the branch's chunk commits, oldest first. */
  static List<Integer> chunkCommits(Table target, String id) {
    List<Integer> out = new ArrayList<>();
    for (Snapshot s :
        SnapshotUtil.ancestorsOf(
            target.refs().get(BackfillBranch.name(id)).snapshotId(), target::snapshot)) {
      String chunk = s.summary().get(BackfillBranch.CHUNK);
      if (chunk != null) {
        out.add(0, Integer.parseInt(chunk));
      }
    }
    return out;
  }
}
