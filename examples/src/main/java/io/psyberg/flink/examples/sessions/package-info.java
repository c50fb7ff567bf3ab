/**
 * The {@code sessions} command and the session reports of the job commands: the session log ({@code
 * psyberg.sessions}) rendered as tables, with compact audit summaries.
 */
package io.psyberg.flink.examples.sessions;
