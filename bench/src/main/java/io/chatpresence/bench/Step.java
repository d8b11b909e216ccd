package io.chatpresence.bench;

import org.HdrHistogram.Histogram;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One measured run at one offered rate. Sends are stamped "t&lt;step&gt;:&lt;intended nanos&gt;"; the measured window is
 * [warm-up end, end): latency is recorded for what was due in the window (whenever it arrives, until the drain
 * deadline), throughput counts what arrived in the window. Each shard writes only its own slot, on its own
 * event loop.
 */
final class Step {
  static final long MAX_NANOS = 600_000_000_000L;

  final int id;
  final long start;
  final long measureFrom;
  final long end;
  final Histogram[] latency;
  /** fan-out: per message (intended time) the latest receipt on this shard */
  final Map<Long, long[]>[] lastReceipt;
  final AtomicLongArray sentInWindow;
  final AtomicLongArray receivedOfWindow;
  final AtomicLongArray receivedDuringWindow;
  final AtomicLongArray errors;
  /** Per shard and 100 ms of the window (by due time): the slowest latency, and how many were slower than SLOW. */
  final long[][] bucketMax;
  final int[][] bucketSlow;
  static final long BUCKET_NANOS = 100_000_000L;
  static final long SLOW_NANOS = 25_000_000L;
  volatile boolean closed;

  @SuppressWarnings("unchecked")
  Step(int id, int shards, long start, long warmupNanos, long durationNanos) {
    this.id = id;
    this.start = start;
    this.measureFrom = start + warmupNanos;
    this.end = start + durationNanos;
    latency = new Histogram[shards];
    lastReceipt = new Map[shards];
    for (int i = 0; i < shards; i++) {
      latency[i] = new Histogram(MAX_NANOS, 3);
      lastReceipt[i] = new HashMap<>();
    }
    sentInWindow = new AtomicLongArray(shards);
    receivedOfWindow = new AtomicLongArray(shards);
    receivedDuringWindow = new AtomicLongArray(shards);
    errors = new AtomicLongArray(shards);
    int buckets = (int) Math.max(1, (durationNanos - warmupNanos + BUCKET_NANOS - 1) / BUCKET_NANOS);
    bucketMax = new long[shards][buckets];
    bucketSlow = new int[shards][buckets];
  }

  String stamp(long intended) {
    return "t" + id + ":" + intended;
  }

  void sent(int shard, long intended) {
    if (intended >= measureFrom && intended < end) {
      sentInWindow.incrementAndGet(shard);
    }
  }

  /** A frame arrived on the shard: finds the stamp after {@code marker} and records it. */
  void received(int shard, String text, String marker, boolean trackLast) {
    long now = System.nanoTime();
    if (closed) {
      return;
    }
    if (text.startsWith("{\"type\":\"ERROR\"")) {
      if (errors.incrementAndGet(shard) <= 3) {
        System.out.println("  error frame: " + text);
      }
      return;
    }
    int at = text.indexOf(marker);
    if (at < 0) {
      return;
    }
    at += marker.length() + 1; // past the "t"
    int colon = text.indexOf(':', at);
    int quote = text.indexOf('"', colon);
    if (colon < 0 || quote < 0 || Integer.parseInt(text, at, colon, 10) != id) {
      return;
    }
    long intended = Long.parseLong(text, colon + 1, quote, 10);
    if (now >= measureFrom && now < end) {
      receivedDuringWindow.incrementAndGet(shard);
    }
    if (intended >= measureFrom && intended < end) {
      long nanos = Math.max(1, Math.min(MAX_NANOS, now - intended));
      latency[shard].recordValue(nanos);
      int b = (int) Math.min(bucketMax[shard].length - 1, (intended - measureFrom) / BUCKET_NANOS);
      bucketMax[shard][b] = Math.max(bucketMax[shard][b], nanos);
      if (nanos > SLOW_NANOS) {
        bucketSlow[shard][b]++;
      }
      receivedOfWindow.incrementAndGet(shard);
      if (trackLast) {
        long[] last = lastReceipt[shard].computeIfAbsent(intended, k -> new long[2]);
        last[0] = Math.max(last[0], nanos);
        last[1]++;
      }
    }
  }

  static long sum(AtomicLongArray a) {
    long s = 0;
    for (int i = 0; i < a.length(); i++) {
      s += a.get(i);
    }
    return s;
  }

  /** Waits until all that was due in the window has arrived ({@code expectedPerSend} receipts each), or the deadline. */
  boolean drain(long expectedPerSend, long deadlineNanos) {
    while (System.nanoTime() < deadlineNanos) {
      if (sum(receivedOfWindow) >= sum(sentInWindow) * expectedPerSend && System.nanoTime() >= end) {
        return true;
      }
      Bench.pause(20);
    }
    return false;
  }

  /**
   * Where in the window the slow ones were due: the 100 ms buckets holding any slower than 25 ms, the most first (at
   * most {@code top}), each "+s.s: n slow, max ms". Tells a few stalls from a latency that is high throughout.
   */
  String stalls(int top) {
    int buckets = bucketMax[0].length;
    long[] max = new long[buckets];
    int[] slow = new int[buckets];
    for (int sh = 0; sh < bucketMax.length; sh++) {
      for (int b = 0; b < buckets; b++) {
        max[b] = Math.max(max[b], bucketMax[sh][b]);
        slow[b] += bucketSlow[sh][b];
      }
    }
    Integer[] order = new Integer[buckets];
    for (int b = 0; b < buckets; b++) {
      order[b] = b;
    }
    java.util.Arrays.sort(order, (x, y) -> Integer.compare(slow[y], slow[x]));
    StringBuilder out = new StringBuilder();
    int total = 0;
    int withSlow = 0;
    for (int b = 0; b < buckets; b++) {
      total += slow[b];
      withSlow += slow[b] > 0 ? 1 : 0;
    }
    out.append(String.format("%d slower than %d ms in %d of %d buckets of 100 ms", total, SLOW_NANOS / 1_000_000,
      withSlow, buckets));
    for (int i = 0; i < Math.min(top, buckets) && slow[order[i]] > 0; i++) {
      int b = order[i];
      out.append(String.format("; +%.1f s: %d, max %.0f ms", b * BUCKET_NANOS / 1e9, slow[b], max[b] / 1e6));
    }
    return out.toString();
  }

  Histogram merged() {
    Histogram all = new Histogram(MAX_NANOS, 3);
    for (Histogram h : latency) {
      all.add(h);
    }
    return all;
  }

  double windowSeconds() {
    return (end - measureFrom) / 1e9;
  }
}
