package io.psyberg.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.planning.PlannedSnapshot;
import io.psyberg.flink.planning.SessionPlanner;
import io.psyberg.flink.planning.SessionSettings;
import io.psyberg.flink.source.split.PsybergSplit;
import io.psyberg.flink.source.split.PsybergSplitFactory;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The split assigner on Flink's mock enumerator context: readers that ask ahead get a split per
 * request, in turn, and a bounded read ends each reader once nothing is left.
 */
class SplitAssignerTest {
  @TempDir Path dir;
  private List<PsybergSplit> splits;
  private MockSplitEnumeratorContext<PsybergSplit> context;

  @BeforeEach
  void setUp() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      wh.createEventsTable("ns.t");
      for (int day = 1; day <= 5; day++) {
        wh.append("ns.t", Warehouse.events("d" + day, 2, LocalDateTime.of(2026, 1, day, 0, 0)));
      }
      SessionSettings settings = SessionSettings.builder("p").sourceTables(List.of("ns.t")).build();
      splits = new ArrayList<>();
      for (PlannedSnapshot s :
          new SessionPlanner(wh.catalog(), settings).plan("s-1", "j", Map.of()).snapshots()) {
        splits.addAll(PsybergSplitFactory.splits("s-1", s, 1L << 27));
      }
    }
    assertThat(splits).hasSize(5);
    context = new MockSplitEnumeratorContext<>(2);
    context.registerReader(new ReaderInfo(0, "localhost"));
    context.registerReader(new ReaderInfo(1, "localhost"));
  }

  @Test
  void readersAskingAheadGetASplitPerRequestInTurn() {
    SplitAssigner assigner = new SplitAssigner(false, false, List.of());
    assigner.add(splits);
    for (int i = 0; i < 2; i++) {
      assigner.request(0);
      assigner.request(1);
    }
    assigner.assign(context, false);
    assertThat(assigned(0)).containsExactly(id(0), id(2));
    assertThat(assigned(1)).containsExactly(id(1), id(3));
    assertThat(assigner.unassigned()).extracting(PsybergSplit::splitId).containsExactly(id(4));

    assigner.request(1);
    assigner.request(1);
    assigner.assign(context, true);
    assertThat(assigned(1)).containsExactly(id(1), id(3), id(4));
    // the second request found nothing left, and the read is planned: reader 1 ends
    assertThat(context.hasNoMoreSplits(1)).isTrue();
    assertThat(context.hasNoMoreSplits(0)).isFalse();
  }

  @Test
  void requestsWaitForTheNextPlanUntilTheReadIsPlanned() {
    SplitAssigner assigner = new SplitAssigner(false, true, List.of());
    assigner.request(0);
    assigner.request(0);
    assigner.assign(context, false);
    assertThat(assigned(0)).isEmpty();
    assertThat(context.hasNoMoreSplits(0)).isFalse();

    assigner.add(splits.subList(0, 1));
    assigner.assign(context, false);
    assigner.add(splits.subList(1, 3));
    assigner.assign(context, false);
    // two requests: two splits, the third waits for a request
    assertThat(assigned(0)).containsExactly(id(0), id(1));
    assertThat(assigner.unassigned()).extracting(PsybergSplit::splitId).containsExactly(id(2));
  }

  @Test
  void aRestartedReaderDropsTheRequestsOfItsFormerAttempt() {
    SplitAssigner assigner = new SplitAssigner(false, true, List.of());
    assigner.request(0);
    assigner.request(0);
    assigner.readerStarted(0);
    assigner.request(0);
    assigner.add(splits);
    assigner.assign(context, false);
    assertThat(assigned(0)).containsExactly(id(0));
  }

  @Test
  void aChangelogReadGivesEverySplitToOneReader() {
    SplitAssigner assigner = new SplitAssigner(true, false, List.of());
    assigner.add(splits);
    assigner.request(1);
    assigner.request(0);
    assigner.request(0);
    assigner.assign(context, true);
    assertThat(assigned(0)).containsExactly(id(0), id(1));
    assertThat(assigned(1)).isEmpty();
    assertThat(context.hasNoMoreSplits(1)).isTrue();
  }

  private String id(int i) {
    return splits.get(i).splitId();
  }

  private List<String> assigned(int subtask) {
    return context.getSplitsAssignmentSequence().stream()
        .map(SplitsAssignment::assignment)
        .flatMap(a -> a.getOrDefault(subtask, List.of()).stream())
        .map(PsybergSplit::splitId)
        .collect(Collectors.toList());
  }
}
