/**
 * The {@code generate} command: synthetic membership events (with late and bad ones) appended to an
 * Iceberg table as one snapshot with Iceberg's generic Parquet writer.
 */
package io.psyberg.flink.examples.generate;
