package io.chatpresence.chat.socket;

import io.vertx.core.Vertx;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * At most one receipt per reader and group a second, the latest: the first goes at once; those that come
 * within the second after it are held (only the newest is kept) and the newest goes when the second is over.
 * Per chat verticle instance (a reader with sockets on two nodes is throttled on each). An entry lives for about
 * a second after a receipt went; one periodic sweep removes idle entries and sends held ones, so no timer
 * exists per entry. Touched only on the verticle's event loop.
 */
final class GroupReceipts {
  static final long INTERVAL_MS = 1_000;
  private static final long SWEEP_MS = 100;

  private static final class Slot {
    long sentAt;
    /** The newest receipt held back, or null. */
    Object held;
  }

  private final Vertx vertx;
  /** Sends a receipt now: the key's receipt object as given to {@link #offer}. */
  private final BiConsumer<String, Object> send;
  private final Map<String, Slot> slots = new HashMap<>();
  private long sweepTimer = -1;

  GroupReceipts(Vertx vertx, BiConsumer<String, Object> send) {
    this.vertx = vertx;
    this.send = send;
  }

  /** A receipt for {@code key} (reader and group): sent now, or held as the newest until its second is over. */
  void offer(String key, Object receipt) {
    long now = now();
    Slot slot = slots.get(key);
    if (slot == null) {
      slot = new Slot();
      slots.put(key, slot);
      if (sweepTimer == -1) {
        sweepTimer = vertx.setPeriodic(SWEEP_MS, t -> sweep());
      }
    } else if (now - slot.sentAt < INTERVAL_MS) {
      slot.held = receipt;
      return;
    }
    slot.sentAt = now;
    slot.held = null;
    send.accept(key, receipt);
  }

  private void sweep() {
    long now = now();
    for (Iterator<Map.Entry<String, Slot>> it = slots.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Slot> e = it.next();
      Slot slot = e.getValue();
      if (now - slot.sentAt < INTERVAL_MS) {
        continue;
      }
      if (slot.held != null) {
        Object receipt = slot.held;
        slot.held = null;
        slot.sentAt = now;
        send.accept(e.getKey(), receipt);
      } else {
        it.remove();
      }
    }
    if (slots.isEmpty()) {
      vertx.cancelTimer(sweepTimer);
      sweepTimer = -1;
    }
  }

  int size() {
    return slots.size();
  }

  void stop() {
    vertx.cancelTimer(sweepTimer);
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }
}
