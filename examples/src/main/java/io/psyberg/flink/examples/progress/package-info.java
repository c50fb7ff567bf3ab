/** Progress of long commands on a terminal: a status line redrawn in place, quiet when piped. */
package io.psyberg.flink.examples.progress;
