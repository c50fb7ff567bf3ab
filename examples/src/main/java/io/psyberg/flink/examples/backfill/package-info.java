/**
 * Managed backfill (DESIGN section 13): rebuild a range of a process's output in a branch of each
 * target, resumably, then validate it against main and publish it.
 */
package io.psyberg.flink.examples.backfill;
