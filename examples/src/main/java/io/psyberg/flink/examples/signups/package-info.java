/**
 * The {@code signups} command: the stateless signup process. It reads new membership events through
 * the psyberg source, keeps one fact row per {@code SIGNUP} event and writes them through the
 * write-audit-publish sink, so each session is audited and published with its high watermark.
 */
package io.psyberg.flink.examples.signups;
