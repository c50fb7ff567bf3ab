/** Flink type information and versioned serializer helpers shared by the stateful operators. */
package io.psyberg.flink.stateful.typeutils;
