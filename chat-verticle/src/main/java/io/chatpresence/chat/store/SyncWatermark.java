package io.chatpresence.chat.store;

import io.chatpresence.server.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * The SYNC watermark W: an event position such that every transaction that drew a position at or below W has
 * finished (committed or rolled back). SYNC and INBOX hand out tokens at or below W and return events at or
 * below W only, so an event committed late can never fall behind a token already given (docs/architecture.md).
 *
 * <p>Every {@link #PERIOD_MS} ms one sample: {@code hi} (the sequence's last value), then, in a later statement,
 * the xids of the transactions running now. Every writer locks its conversation row before drawing a position,
 * so a transaction that drew a position at or below {@code hi} already had its xid then: it has finished, or it
 * is among the sample's running xids. Once a later sample finds none of them running any more, all have
 * finished: W becomes {@code hi}. Samples wait in a queue, oldest first, until then.
 */
public final class SyncWatermark {
  private static final Logger LOG = LoggerFactory.getLogger(SyncWatermark.class);
  static final long PERIOD_MS = 25;
  /** Samples kept while a long transaction holds W back; beyond it the newest is replaced (W only lags). */
  private static final int MAX_PENDING = 1_000;
  private static final long START_WAIT_MS = 10_000;

  private record Sample(long high, long[] running) {
  }

  private final Vertx vertx;
  private final SyncStore store;
  private final ArrayDeque<Sample> pending = new ArrayDeque<>();
  private final ThrottledLog failures = new ThrottledLog(5_000);
  private final Promise<Void> known = Promise.promise();
  private volatile long watermark = -1;
  private boolean sampling;
  private long timer = -1;

  public SyncWatermark(Vertx vertx, SyncStore store) {
    this.vertx = vertx;
    this.store = store;
  }

  /** Starts sampling; completes once W is known (or after a while anyway: SYNC then answers UNAVAILABLE). */
  public Future<Void> start() {
    timer = vertx.setPeriodic(0, PERIOD_MS, id -> sample());
    long giveUp = vertx.setTimer(START_WAIT_MS, id -> {
      LOG.warn("No SYNC watermark after {} ms (a long transaction?): SYNC waits for it", START_WAIT_MS);
      known.tryComplete();
    });
    return known.future().onComplete(v -> vertx.cancelTimer(giveUp));
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  /** W, or -1 while not known yet. */
  public long current() {
    return watermark;
  }

  private void sample() {
    if (sampling) {
      return;
    }
    sampling = true;
    store.highestPosition()
      .compose(high -> store.runningXids().map(running -> {
        advance(high, running);
        return null;
      }))
      .onComplete(ar -> {
        sampling = false;
        if (ar.failed()) {
          failures.warn(LOG, "SYNC watermark sample failed: " + ar.cause());
        }
      });
  }

  /** One sample: queue it, then release every queued sample whose transactions have all finished. */
  void advance(long high, long[] running) {
    if (pending.size() >= MAX_PENDING) {
      pending.pollLast();
    }
    pending.addLast(new Sample(high, running));
    Set<Long> now = new HashSet<>();
    for (long xid : running) {
      now.add(xid);
    }
    long w = watermark;
    while (!pending.isEmpty() && noneRunning(pending.peekFirst().running(), now)) {
      w = Math.max(w, pending.pollFirst().high());
    }
    if (w != watermark) {
      watermark = w;
      known.tryComplete();
    }
  }

  private static boolean noneRunning(long[] xids, Set<Long> running) {
    for (long xid : xids) {
      if (running.contains(xid)) {
        return false;
      }
    }
    return true;
  }
}
