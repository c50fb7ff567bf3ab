/**
 * A generic, user-pluggable state machine over events ordered per key by (event time, event id),
 * the keyed Flink operator that runs it with late-event recomputation and retention, and pure
 * helpers for bounded runs.
 */
package io.psyberg.flink.stateful.sequence;
