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
