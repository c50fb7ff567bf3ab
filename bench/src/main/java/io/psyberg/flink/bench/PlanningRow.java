package io.psyberg.flink.bench;

import java.util.ArrayList;
import java.util.List;

/** One planning scenario's result: medians in milliseconds, wall clock and process CPU. */
final class PlanningRow {
  final int history;
  final int newSnapshots;
  final long files;
  final double psyberg;
  final double iceberg;
  final double psybergCpu;
  final double icebergCpu;
  final double psybergGc;
  final double icebergGc;
  final double load;
  final double fixed;
  final int rounds;
  final boolean warmupKept;

  PlanningRow(
      int history,
      int newSnapshots,
      long files,
      Samples psyberg,
      Samples iceberg,
      Samples load,
      Samples fixed,
      boolean warmupKept) {
    this.history = history;
    this.newSnapshots = newSnapshots;
    this.files = files;
    this.psyberg = LocalFlink.median(psyberg.wall);
    this.iceberg = LocalFlink.median(iceberg.wall);
    this.psybergCpu = LocalFlink.median(psyberg.cpu);
    this.icebergCpu = LocalFlink.median(iceberg.cpu);
    this.psybergGc = LocalFlink.median(psyberg.gc);
    this.icebergGc = LocalFlink.median(iceberg.gc);
    this.load = LocalFlink.median(load.wall);
    this.fixed = LocalFlink.median(fixed.wall);
    this.rounds = psyberg.wall.size();
    this.warmupKept = warmupKept;
  }

  /** Wall-clock, CPU and GC milliseconds of the measured calls. */
  static final class Samples {
    final List<Double> wall = new ArrayList<>();
    final List<Double> cpu = new ArrayList<>();
    final List<Double> gc = new ArrayList<>();

    void add(double[] sample) {
      wall.add(sample[0]);
      cpu.add(sample[1]);
      gc.add(sample[2]);
    }
  }
}
