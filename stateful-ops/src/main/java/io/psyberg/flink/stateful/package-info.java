/**
 * Keyed, order-dependent ("stateful") processing for psyberg-flink: a generic event-sequence
 * operator that corrects its output when late events arrive ({@code sequence}), and the account
 * lifecycle built on it ({@code lifecycle}).
 */
package io.psyberg.flink.stateful;
