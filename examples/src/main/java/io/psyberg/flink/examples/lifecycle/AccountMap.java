package io.psyberg.flink.examples.lifecycle;

import javax.annotation.Nullable;

/**
 * Values by account id in open addressing over primitive keys: the contiguity audit looks up an
 * account for every row it reads (hundreds of thousands a run), where a {@code HashMap<Long, V>}
 * boxes each id and chases a node. Not thread-safe; one instance per reading thread.
 */
final class AccountMap<V> {
  /** Called for each entry by {@link #forEach}. */
  interface Entry<V> {
    void accept(long account, V value);
  }

  private long[] keys;
  private Object[] values;
  private int size;

  AccountMap(int expected) {
    int capacity = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
    keys = new long[capacity];
    values = new Object[capacity];
  }

  @Nullable
  @SuppressWarnings("unchecked")
  V get(long account) {
    int mask = keys.length - 1;
    for (int i = slot(account, mask); ; i = (i + 1) & mask) {
      Object v = values[i];
      if (v == null) {
        return null;
      }
      if (keys[i] == account) {
        return (V) v;
      }
    }
  }

  /** Sets the account's value ({@code value} not null), replacing any earlier one. */
  void put(long account, V value) {
    int mask = keys.length - 1;
    int i = slot(account, mask);
    while (values[i] != null && keys[i] != account) {
      i = (i + 1) & mask;
    }
    if (values[i] == null) {
      size++;
    }
    keys[i] = account;
    values[i] = value;
    if (size * 2 > keys.length) {
      grow();
    }
  }

  int size() {
    return size;
  }

  @SuppressWarnings("unchecked")
  void forEach(Entry<V> action) {
    for (int i = 0; i < keys.length; i++) {
      if (values[i] != null) {
        action.accept(keys[i], (V) values[i]);
      }
    }
  }

  private void grow() {
    long[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new Object[oldKeys.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldValues[i] != null) {
        @SuppressWarnings("unchecked")
        V v = (V) oldValues[i];
        put(oldKeys[i], v);
      }
    }
  }

  /**
   * Which of {@code shares} shares of the accounts {@code account} belongs to: by the mixed id's
   * high bits, as a map of one share's accounts places them by the low ones.
   */
  static int share(long account, int shares) {
    return (int) (((mixed(account) & 0xFFFFFFFFL) * shares) >>> 32);
  }

  private static int slot(long account, int mask) {
    return mixed(account) & mask;
  }

  private static int mixed(long account) {
    // Ids are often dense and sequential: mix the bits so neighbours do not fill one run of slots.
    long h = account * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
