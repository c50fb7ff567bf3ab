package io.psyberg.flink.examples.generate;

import java.time.LocalDate;
import java.util.List;

/**
 * The events of one generated batch.
 *
 * @param day the batch's normal time window: {@code [day 00:00, day+1 00:00)}
 * @param late how many events lie before {@code day}
 * @param bad how many events are anomalies for the lifecycle
 */
public record GeneratedBatch(LocalDate day, List<MembershipEvent> events, int late, int bad) {}
