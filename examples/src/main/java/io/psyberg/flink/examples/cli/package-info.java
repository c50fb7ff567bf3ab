/** Small hand-written command-line framework: commands, options, usage texts, exit codes. */
package io.psyberg.flink.examples.cli;
