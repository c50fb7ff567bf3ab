package io.psyberg.flink.examples.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AccountMapTest {
  @Test
  void holdsWhatAHashMapHoldsThroughGrowthAndReplacement() {
    AccountMap<String> map = new AccountMap<>(2);
    Map<Long, String> expected = new HashMap<>();
    Random random = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      // Dense ids, negative ones, far-apart ones and repeats.
      long id = i % 3 == 0 ? i : i % 3 == 1 ? -i * 1_000_003L : random.nextInt(500);
      map.put(id, "v" + i);
      expected.put(id, "v" + i);
    }
    assertThat(map.size()).isEqualTo(expected.size());
    expected.forEach((id, v) -> assertThat(map.get(id)).as("account %d", id).isEqualTo(v));
    assertThat(map.get(Long.MAX_VALUE)).isNull();
    assertThat(map.get(0L)).isEqualTo(expected.get(0L));

    Map<Long, String> seen = new HashMap<>();
    map.forEach(seen::put);
    assertThat(seen).isEqualTo(expected);
  }

  @Test
  void sharesSplitDenseIdsEvenlyAndAShareStillSpreadsOverItsMap() {
    int[] counts = new int[3];
    AccountMap<Long> shareZero = new AccountMap<>(2);
    for (long id = 0; id < 30_000; id++) {
      int share = AccountMap.share(id, 3);
      counts[share]++;
      if (share == 0) {
        shareZero.put(id, id);
      }
    }
    for (int c : counts) {
      assertThat(c).isBetween(9_000, 11_000);
    }
    assertThat(shareZero.size()).isEqualTo(counts[0]);
    for (long id = 0; id < 30_000; id++) {
      assertThat(shareZero.get(id)).isEqualTo(AccountMap.share(id, 3) == 0 ? id : null);
    }
    assertThat(AccountMap.share(Long.MIN_VALUE, 1)).isZero();
  }
}
