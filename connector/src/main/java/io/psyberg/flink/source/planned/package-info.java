/** A bounded source over data files planned when a job is built (e.g. a stateful job's history). */
package io.psyberg.flink.source.planned;
