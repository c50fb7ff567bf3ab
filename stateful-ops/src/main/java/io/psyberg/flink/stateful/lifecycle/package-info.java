/**
 * The account lifecycle of the product contract (DESIGN section 7): its rules as an {@link
 * io.psyberg.flink.stateful.sequence.EventSequenceStateMachine}, the output and anomaly row shapes,
 * a pure recompute and bounded-run corrections, and the DataStream wiring over {@code RowData}
 * events.
 */
package io.psyberg.flink.stateful.lifecycle;
