/**
 * The change-table commands: {@code capture} (a process's next session as a change table that
 * references its new data files), {@code commit} (audit and publish what a job of any engine wrote
 * to the target's audit branch) and {@code pending} (whether there is new data, for schedulers).
 */
package io.psyberg.flink.examples.changes;
