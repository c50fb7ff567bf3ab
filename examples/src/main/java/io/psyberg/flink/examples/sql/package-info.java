/**
 * The {@code sql} command: splits a script into statements and runs them in a SQL session on an
 * embedded MiniCluster, printing query results as tables or CSV.
 */
package io.psyberg.flink.examples.sql;
