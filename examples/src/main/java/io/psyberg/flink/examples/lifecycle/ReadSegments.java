package io.psyberg.flink.examples.lifecycle;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.annotation.Nullable;

/**
 * The segments the contiguity audit read, by account: as read and, given a session's deletes, less
 * the rows those remove, counting the deleted keys that met their row. Holds an entry for each
 * account to read from the start, so that a row costs one lookup whether its account is read or
 * passed over. One instance per reading thread; merged at the end.
 */
final class ReadSegments {
  /** An account's segments as read, and less the deleted ones with which keys met a row. */
  private static final class Rows {
    final AccountSegments read = new AccountSegments();
    @Nullable final AccountSegments kept;
    final SessionDeletes.Keys deleted;
    @Nullable final boolean[] met;

    Rows(@Nullable SessionDeletes.Keys deleted) {
      this.kept = deleted == null ? null : new AccountSegments();
      this.deleted = deleted;
      this.met = deleted == null || deleted.size() == 0 ? null : new boolean[deleted.size()];
    }
  }

  private final AccountMap<Rows> byAccount;
  private final boolean anyAccount;
  @Nullable private final SessionDeletes deletes;
  private long lastId;
  @Nullable private Rows lastRows;

  /**
   * @param accounts the accounts to keep; null for all
   * @param deletes a session's deletes, to keep the rows they leave apart too; null for none
   */
  ReadSegments(@Nullable Set<Long> accounts, @Nullable SessionDeletes deletes) {
    this.anyAccount = accounts == null;
    this.deletes = deletes;
    this.byAccount = new AccountMap<>(accounts == null ? 1024 : accounts.size());
    if (accounts != null) {
      accounts.forEach(id -> byAccount.put(id, newRows(id)));
    }
  }

  private Rows newRows(long account) {
    return new Rows(deletes == null ? null : deletes.of(account));
  }

  void add(long id, int segmentNo, long fromMicros, @Nullable Long toMicros) {
    // A file holds an account's segments of a partition one after the other.
    Rows rows = id == lastId && lastRows != null ? lastRows : byAccount.get(id);
    if (rows == null) {
      if (!anyAccount) {
        return;
      }
      rows = newRows(id);
      byAccount.put(id, rows);
    }
    lastId = id;
    lastRows = rows;
    rows.read.add(segmentNo, fromMicros, toMicros);
    if (rows.kept != null) {
      int key = rows.met == null ? -1 : rows.deleted.removing(segmentNo, toMicros);
      if (key < 0) {
        rows.kept.add(segmentNo, fromMicros, toMicros);
      } else {
        rows.met[key] = true;
      }
    }
  }

  ReadSegments merged(ReadSegments other) {
    other.byAccount.forEach(
        (id, theirs) -> {
          Rows mine = byAccount.get(id);
          if (mine == null) {
            byAccount.put(id, theirs);
            return;
          }
          mine.read.merged(theirs.read);
          if (mine.kept != null) {
            mine.kept.merged(theirs.kept);
          }
          if (mine.met != null) {
            for (int i = 0; i < mine.met.length; i++) {
              mine.met[i] |= theirs.met[i];
            }
          }
        });
    return this;
  }

  /** How many of the deletes' keys met a row read: all of them, when every removal was read. */
  int keysMet() {
    int[] met = {0};
    byAccount.forEach(
        (id, rows) -> {
          if (rows.met != null) {
            for (boolean m : rows.met) {
              met[0] += m ? 1 : 0;
            }
          }
        });
    return met[0];
  }

  /**
   * Merges and checks the accounts of one share ({@code share} of {@code shares}, by account) from
   * every part: how many accounts it holds, and the problem of each broken one into {@code broken}.
   * The shares' accounts are disjoint, so each runs on its own thread; merging reuses the parts'
   * segments.
   */
  static int checkShare(List<ReadSegments> parts, int share, int shares, Map<Long, String> broken) {
    int accounts = 0;
    for (ReadSegments part : parts) {
      accounts += part.byAccount.size();
    }
    AccountMap<AccountSegments> mine = new AccountMap<>(accounts / shares + 16);
    for (ReadSegments part : parts) {
      part.byAccount.forEach(
          (id, rows) -> {
            if (rows.read.isEmpty() || AccountMap.share(id, shares) != share) {
              return;
            }
            AccountSegments seen = mine.get(id);
            if (seen == null) {
              mine.put(id, rows.read);
            } else {
              seen.merged(rows.read);
            }
          });
    }
    mine.forEach(
        (id, segments) -> {
          String problem = segments.problem();
          if (problem != null) {
            broken.put(id, problem);
          }
        });
    return mine.size();
  }

  /** The accounts' segments as read; accounts without any are left out. */
  Map<Long, AccountSegments> read() {
    return nonEmpty(rows -> rows.read);
  }

  /** The accounts' segments less the deleted ones; accounts without any are left out. */
  Map<Long, AccountSegments> kept() {
    return nonEmpty(rows -> rows.kept);
  }

  private Map<Long, AccountSegments> nonEmpty(Function<Rows, AccountSegments> which) {
    Map<Long, AccountSegments> out = new HashMap<>();
    byAccount.forEach(
        (id, rows) -> {
          AccountSegments segments = which.apply(rows);
          if (!segments.isEmpty()) {
            out.put(id, segments);
          }
        });
    return out;
  }
}
