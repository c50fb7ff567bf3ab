/**
 * The command line's frame on picocli: the base of every command, the catalog options mixin, the
 * help layout, choice options, error reporting and exit codes.
 */
package io.psyberg.flink.examples.cli;
