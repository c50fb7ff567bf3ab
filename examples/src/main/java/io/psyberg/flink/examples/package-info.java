/**
 * The examples' command line ({@link io.psyberg.flink.examples.PsybergCli}): wiring only; the
 * pipelines' logic lives in the connector and stateful-ops modules.
 */
package io.psyberg.flink.examples;
