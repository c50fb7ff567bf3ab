package io.psyberg.flink.examples.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.testutils.CliRun;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
  private static final TableIdentifier EVENTS = TableIdentifier.of("membership", "events");
  private static final LocalDateTime DAY_1 = LocalDateTime.of(2026, 1, 1, 0, 0);
  private static final LocalDateTime DAY_2 = DAY_1.plusDays(1);

  @TempDir Path dir;

  @Test
  void twoCallsAppendTwoSnapshotsThatMoveForwardInTime() throws Exception {
    Path warehouse = dir.resolve("w");
    CliRun first = generate(warehouse, "7");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(first.out())
        .matches(
            "generated table=membership.events snapshot=\\d+ rows=400 late=40 bad=20"
                + " accounts=50 day=2026-01-01 seed=7\n");
    assertThat(first.err()).isEmpty();
    List<Event> batch1 = read(warehouse);

    CliRun second = generate(warehouse, "7");
    assertThat(second.exitCode()).as(second.toString()).isZero();
    assertThat(second.out()).contains("rows=400 late=40 bad=20").contains("day=2026-01-02");
    List<Event> all = read(warehouse);
    List<Event> batch2 = new ArrayList<>(all);
    batch2.removeAll(batch1);

    Table table = table(warehouse);
    List<Snapshot> snapshots = new ArrayList<>();
    table.snapshots().forEach(snapshots::add);
    assertThat(snapshots).hasSize(2);
    assertThat(snapshots)
        .allSatisfy(
            s -> {
              assertThat(s.operation()).isEqualTo("append");
              assertThat(s.summary()).containsEntry("added-records", "400");
            });
    assertThat(((HasTableOperations) table).operations().current().formatVersion()).isEqualTo(2);
    assertThat(table.schema().asStruct()).isEqualTo(MembershipEvents.SCHEMA.asStruct());

    assertThat(batch1).hasSize(400);
    assertThat(batch2).hasSize(400);
    // Batch 1 covers 2026-01-01, its late rows the three days before.
    assertThat(batch1.stream().filter(e -> e.ts.isBefore(DAY_1))).hasSize(40);
    assertThat(batch1).allMatch(e -> !e.ts.isBefore(DAY_1.minusDays(3)) && e.ts.isBefore(DAY_2));
    // Batch 2 covers the next day; its late rows fall into earlier days.
    assertThat(batch2.stream().filter(e -> e.ts.isBefore(DAY_2))).hasSize(40);
    assertThat(batch2)
        .allMatch(e -> !e.ts.isBefore(DAY_2.minusDays(3)) && e.ts.isBefore(DAY_2.plusDays(1)));
    assertThat(all.stream().map(e -> e.id).distinct()).hasSize(800);
    assertThat(all).allMatch(e -> e.account >= 1 && e.account <= 50);

    // Bad rows are exactly the lifecycle's anomalies; late rows add none.
    Map<String, Long> anomalies = Lifecycle.anomalies(all);
    assertThat(anomalies.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(40);
    assertThat(anomalies.keySet())
        .contains("UNKNOWN_EVENT_TYPE", "MISSING_PLAN", "INVALID_TRANSITION");
    assertThat(all.stream().map(e -> e.type).collect(Collectors.toSet()))
        .contains("SIGNUP", "PLAN_CHANGE", "PAYMENT_HOLD", "PAYMENT_RECOVERED", "CANCEL");
    assertThat(
            all.stream().filter(e -> e.plan != null).map(e -> e.plan).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("basic", "standard", "premium");
  }

  @Test
  void theSameSeedGivesTheSameRows() throws Exception {
    assertThat(generate(dir.resolve("a"), "42").exitCode()).isZero();
    assertThat(generate(dir.resolve("b"), "42").exitCode()).isZero();
    assertThat(generate(dir.resolve("c"), "43").exitCode()).isZero();
    List<Event> a = sorted(read(dir.resolve("a")));
    assertThat(sorted(read(dir.resolve("b")))).isEqualTo(a);
    assertThat(sorted(read(dir.resolve("c")))).isNotEqualTo(a);
  }

  @Test
  void aTableOfAnotherShapeIsRefused() throws Exception {
    Path warehouse = dir.resolve("w");
    Catalog catalog = CatalogSpec.embedded(warehouse.toString()).open();
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of("membership"));
    catalog.createTable(
        EVENTS, new Schema(Types.NestedField.required(1, "event_id", Types.LongType.get())));
    CliRun run = generate(warehouse, "1");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains("table membership.events exists but does not have the membership event schema")
        .contains("column 'event_id' should be string NOT NULL");
  }

  private static CliRun generate(Path warehouse, String seed) {
    return CliRun.of(
        "generate",
        "--warehouse",
        warehouse.toString(),
        "--table",
        "membership.events",
        "--accounts",
        "50",
        "--events",
        "400",
        "--late-fraction",
        "0.1",
        "--bad-fraction",
        "0.05",
        "--seed",
        seed);
  }

  private static Table table(Path warehouse) {
    return CatalogSpec.embedded(warehouse.toString()).open().loadTable(EVENTS);
  }

  private static List<Event> read(Path warehouse) throws IOException {
    List<Event> events = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table(warehouse)).build()) {
      for (Record r : records) {
        events.add(
            new Event(
                (String) r.getField("event_id"),
                (Long) r.getField("account_id"),
                (String) r.getField("event_type"),
                (String) r.getField("plan"),
                (LocalDateTime) r.getField("event_ts")));
      }
    }
    return events;
  }

  private static List<Event> sorted(List<Event> events) {
    events.sort(Comparator.comparing((Event e) -> e.id));
    return events;
  }

  record Event(String id, long account, String type, String plan, LocalDateTime ts) {}

  /** The lifecycle rules of DESIGN section 7, written out independently of the generator. */
  static final class Lifecycle {
    private static final Set<String> KNOWN =
        Set.of("SIGNUP", "PLAN_CHANGE", "PAYMENT_HOLD", "PAYMENT_RECOVERED", "CANCEL");

    /** Anomaly counts by reason, over every account's events in (event_ts, event_id) order. */
    static Map<String, Long> anomalies(List<Event> events) {
      Map<Long, List<Event>> byAccount =
          events.stream().collect(Collectors.groupingBy(Event::account));
      List<String> reasons = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (List<Event> account : byAccount.values()) {
        account.sort(Comparator.comparing(Event::ts).thenComparing(Event::id));
        String state = "NONE";
        for (Event e : account) {
          if (!seen.add(e.id)) {
            continue;
          }
          String reason = null;
          String next = state;
          if (!KNOWN.contains(e.type)) {
            reason = "UNKNOWN_EVENT_TYPE";
          } else if ((e.type.equals("SIGNUP") || e.type.equals("PLAN_CHANGE")) && e.plan == null) {
            reason = "MISSING_PLAN";
          } else if (e.type.equals("SIGNUP")) {
            if (state.equals("NONE") || state.equals("CANCELED")) {
              next = "ACTIVE";
            } else {
              reason = "DUPLICATE_SIGNUP";
            }
          } else if (e.type.equals("PLAN_CHANGE")) {
            if (!state.equals("ACTIVE") && !state.equals("ON_HOLD")) {
              reason = "INVALID_TRANSITION";
            }
          } else if (e.type.equals("PAYMENT_HOLD")) {
            next = state.equals("ACTIVE") ? "ON_HOLD" : null;
          } else if (e.type.equals("PAYMENT_RECOVERED")) {
            next = state.equals("ON_HOLD") ? "ACTIVE" : null;
          } else {
            next = state.equals("ACTIVE") || state.equals("ON_HOLD") ? "CANCELED" : null;
          }
          if (next == null) {
            reason = "INVALID_TRANSITION";
          } else if (reason == null) {
            state = next;
          }
          if (reason != null) {
            reasons.add(reason);
          }
        }
      }
      return reasons.stream().collect(Collectors.groupingBy(r -> r, Collectors.counting()));
    }
  }
}
