package io.psyberg.flink.examples.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The per-account contiguity check, whatever order and reader the segments arrive in. */
class AccountSegmentsTest {
  @Test
  void contiguousSegmentsPassInAnyOrderAndAcrossReaders() {
    AccountSegments first = new AccountSegments();
    first.add(3, 300, null);
    first.add(1, 100, 200L);
    AccountSegments other = new AccountSegments();
    other.add(2, 200, 300L);
    assertThat(first.merged(other).problem()).isNull();
  }

  @Test
  void namesWhatIsBroken() {
    AccountSegments gap = new AccountSegments();
    gap.add(1, 100, 200L);
    gap.add(2, 250, null);
    assertThat(gap.problem()).startsWith("segment 1 ends at").contains("but segment 2 starts at");

    AccountSegments skipped = new AccountSegments();
    skipped.add(1, 100, 200L);
    skipped.add(3, 200, null);
    assertThat(skipped.problem()).isEqualTo("segment numbers are not consecutive from 1");

    AccountSegments twice = new AccountSegments();
    twice.add(1, 100, 200L);
    twice.add(1, 100, 200L);
    twice.add(2, 200, null);
    assertThat(twice.problem()).isEqualTo("segment 1 appears twice");

    AccountSegments twoOpen = new AccountSegments();
    twoOpen.add(1, 100, null);
    twoOpen.add(2, 100, null);
    assertThat(twoOpen.problem()).startsWith("segment 1 ends at null");

    AccountSegments closedLast = new AccountSegments();
    closedLast.add(1, 100, 200L);
    assertThat(closedLast.problem()).startsWith("0 current segments");
  }

  @Test
  void growsPastItsFirstArrays() {
    AccountSegments many = new AccountSegments();
    for (int i = 1000; i >= 1; i--) {
      many.add(i, i * 10L, i == 1000 ? null : (i + 1) * 10L);
    }
    assertThat(many.problem()).isNull();
  }

  @Test
  void mergesReadersPastTheirArraysAndFindsASegmentBothRead() {
    AccountSegments odd = new AccountSegments();
    AccountSegments even = new AccountSegments();
    for (int i = 1; i <= 99; i++) {
      (i % 2 == 1 ? odd : even).add(i, i * 10L, i == 99 ? null : (i + 1) * 10L);
    }
    assertThat(odd.merged(even).problem()).isNull();

    AccountSegments one = new AccountSegments();
    AccountSegments other = new AccountSegments();
    for (int i = 1; i <= 9; i++) {
      one.add(i, i * 10L, i == 9 ? null : (i + 1) * 10L);
    }
    other.add(5, 50, 60L);
    assertThat(one.merged(other).problem()).isEqualTo("segment 5 appears twice");
  }
}
