package io.psyberg.flink.bench;

import io.psyberg.flink.stateful.lifecycle.Anomaly;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import io.psyberg.flink.stateful.lifecycle.LifecycleState;
import io.psyberg.flink.stateful.lifecycle.Segment;
import io.psyberg.flink.stateful.sequence.Change;
import io.psyberg.flink.stateful.sequence.EventSequenceFunction;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.SinkFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The pieces of the correction benchmark's job: the generated history, the real keyed lifecycle
 * function wrapped so that each of its calls is timed on its own task thread, and a sink that
 * applies the changes to tables as a sink would. The MiniCluster runs in this JVM, so what they see
 * goes to a {@link Run} found by its name.
 */
final class CorrectionJob {
  private static final Map<String, Run> RUNS = new ConcurrentHashMap<>();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private CorrectionJob() {}

  /** One scenario: what the timed function and the sink saw. */
  static final class Run {
    final int buildEvents;
    final int untimedLate;
    final List<Double> micros = new ArrayList<>();
    long cpuNanos;
    long buildStartNanos;
    double buildSeconds;
    long calls;
    long changes;
    long changesBeforeTimed;
    final Map<Long, TreeMap<Integer, Segment>> segments = new HashMap<>();
    final Map<String, Anomaly> anomalies = new HashMap<>();

    Run(int buildEvents, int untimedLate) {
      this.buildEvents = buildEvents;
      this.untimedLate = untimedLate;
    }
  }

  static Run start(String name, int buildEvents, int untimedLate) {
    Run run = new Run(buildEvents, untimedLate);
    RUNS.put(name, run);
    return run;
  }

  static void end(String name) {
    RUNS.remove(name);
  }

  /**
   * The scenario's events in order: {@code events} per account for each of {@code accounts}, in
   * time order, then {@code late} plan changes at a random time inside a random account's history.
   */
  static final class History {
    private final int accounts;
    private final int events;
    private final EventMaker maker;
    private final long spacing;
    private final long historyEnd;

    History(int accounts, int events) {
      this.accounts = accounts;
      this.events = events;
      this.maker = new EventMaker(accounts, 7 + accounts);
      this.spacing = EventMaker.DAY_MICROS / (accounts + 1);
      this.historyEnd = EventMaker.dayStart(events);
    }

    /** The event at {@code index}; indexes must come in order, from 0. */
    LifecycleEvent next(long index) {
      if (index < (long) accounts * events) {
        long a = 1 + index % accounts;
        return maker.next(a, EventMaker.dayStart((int) (index / accounts)) + a * spacing);
      }
      long ts =
          EventMaker.FIRST_DAY_MICROS
              + (long) (maker.nextDouble() * (historyEnd - EventMaker.FIRST_DAY_MICROS));
      return maker.late(ts);
    }
  }

  /** Generates the history from a number sequence read in order (parallelism 1). */
  static final class Generate extends RichMapFunction<Long, LifecycleEvent> {
    private static final long serialVersionUID = 1L;
    private final int accounts;
    private final int events;
    private transient History history;

    Generate(int accounts, int events) {
      this.accounts = accounts;
      this.events = events;
    }

    @Override
    public void open(Configuration parameters) {
      history = new History(accounts, events);
    }

    @Override
    public LifecycleEvent map(Long index) {
      return history.next(index);
    }
  }

  /**
   * The real keyed function, each call timed alone (wall clock and the task thread's CPU time); the
   * late events after the untimed ones are recorded.
   */
  static final class Timed extends KeyedProcessFunction<Long, LifecycleEvent, Change<Segment>> {
    private static final long serialVersionUID = 1L;
    private final String name;
    private final EventSequenceFunction<Long, LifecycleEvent, LifecycleState, Segment, Anomaly> fn;
    private transient Run run;

    Timed(
        String name,
        EventSequenceFunction<Long, LifecycleEvent, LifecycleState, Segment, Anomaly> fn) {
      this.name = name;
      this.fn = fn;
    }

    @Override
    public void open(Configuration parameters) throws Exception {
      run = RUNS.get(name);
      fn.setRuntimeContext(getRuntimeContext());
      fn.open(parameters);
    }

    @Override
    public void close() throws Exception {
      fn.close();
    }

    @Override
    public void processElement(LifecycleEvent e, Context ctx, Collector<Change<Segment>> out)
        throws Exception {
      long call = run.calls++;
      if (call == 0) {
        run.buildStartNanos = System.nanoTime();
      }
      boolean timed = call >= run.buildEvents + run.untimedLate;
      if (call == run.buildEvents + run.untimedLate) {
        run.changesBeforeTimed = run.changes;
      }
      Counting counting = new Counting(ctx, out);
      long c0 = THREADS.getCurrentThreadCpuTime();
      long w0 = System.nanoTime();
      fn.processElement(e, counting.context, counting);
      long w = System.nanoTime() - w0;
      long c = THREADS.getCurrentThreadCpuTime() - c0;
      if (timed) {
        run.micros.add(w / 1e3);
        run.cpuNanos += c;
      }
      if (call == run.buildEvents - 1) {
        run.buildSeconds = (System.nanoTime() - run.buildStartNanos) / 1e9;
      }
    }

    /** Counts the changes of one call, on the main and the anomaly output. */
    private final class Counting implements Collector<Change<Segment>> {
      private final Collector<Change<Segment>> out;
      private final KeyedProcessFunction<Long, LifecycleEvent, Change<Segment>>.Context context;

      Counting(Context ctx, Collector<Change<Segment>> out) {
        this.out = out;
        this.context =
            fn.new Context() {
              @Override
              public Long timestamp() {
                return ctx.timestamp();
              }

              @Override
              public TimerService timerService() {
                return ctx.timerService();
              }

              @Override
              public <X> void output(OutputTag<X> tag, X value) {
                run.changes++;
                ctx.output(tag, value);
              }

              @Override
              public Long getCurrentKey() {
                return ctx.getCurrentKey();
              }
            };
      }

      @Override
      public void collect(Change<Segment> change) {
        run.changes++;
        out.collect(change);
      }

      @Override
      public void close() {
        out.close();
      }
    }
  }

  /** Applies segment changes to the run's table, as a sink would. */
  static final class Segments implements SinkFunction<Change<Segment>> {
    private static final long serialVersionUID = 1L;
    private final String name;

    Segments(String name) {
      this.name = name;
    }

    @Override
    public void invoke(Change<Segment> c, Context context) {
      Map<Integer, Segment> rows =
          RUNS.get(name).segments.computeIfAbsent(c.value().accountId(), k -> new TreeMap<>());
      if (c.isRetraction()) {
        rows.remove(c.value().segmentNo());
      } else {
        rows.put(c.value().segmentNo(), c.value());
      }
    }
  }

  /** Applies anomaly changes to the run's table, as a sink would. */
  static final class Anomalies implements SinkFunction<Change<Anomaly>> {
    private static final long serialVersionUID = 1L;
    private final String name;

    Anomalies(String name) {
      this.name = name;
    }

    @Override
    public void invoke(Change<Anomaly> c, Context context) {
      Map<String, Anomaly> rows = RUNS.get(name).anomalies;
      synchronized (rows) {
        if (c.isRetraction()) {
          rows.remove(c.value().eventId());
        } else {
          rows.put(c.value().eventId(), c.value());
        }
      }
    }
  }
}
