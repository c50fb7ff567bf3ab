package io.psyberg.flink.examples.generate;

/**
 * What one {@code generate} call appends.
 *
 * @param accounts events go to accounts {@code 1..accounts}
 * @param events rows in the batch
 * @param lateFraction share of rows whose {@code event_ts} lies in the days before the batch's day
 * @param badFraction share of rows the lifecycle must flag: unknown type, missing plan, invalid
 *     transition
 * @param seed makes the batch reproducible (given the same table contents)
 */
public record GenerateSettings(
    int accounts, int events, double lateFraction, double badFraction, long seed) {}
