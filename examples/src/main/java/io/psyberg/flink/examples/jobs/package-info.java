/**
 * What the job commands ({@code signups}, later {@code lifecycle}) share: checking their source
 * tables, opening the catalog, and turning a failed job into the message users should read.
 */
package io.psyberg.flink.examples.jobs;
