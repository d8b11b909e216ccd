package io.chatpresence.presence;

import io.chatpresence.common.protocol.Timestamps;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Who is online, cluster-wide: for each user, how many authenticated sockets each source (a verticle
 * instance owning sockets, on some node) reports. A user is online while the sum is positive; going to zero
 * starts a grace period, and a socket opening within it cancels the offline (no flap).
 *
 * <p>Sources are forgotten when their node leaves the cluster ({@link #dropNode}) or, as a backstop, when
 * their heartbeat stops ({@link #sweep}). A heartbeat whose event count differs from what was applied (events
 * lost, a partition healed, a source we dropped) asks that source for its full counts ({@code resync}).
 * Touched only on the presence verticle's event loop.
 */
final class PresenceTracker {
  interface Listener {
    void statusChanged(String username, boolean online, String timestamp);
  }

  private static final class Source {
    final String node;
    long applied;
    long lastSeenNanos = System.nanoTime();
    long resyncAskedNanos;

    Source(String node) {
      this.node = node;
    }
  }

  private final Vertx vertx;
  private final long graceMs;
  private final long sourceTtlNanos;
  private final Listener listener;
  private final Consumer<String> resync;
  private final Map<String, Source> sources = new HashMap<>();
  /** Members the cluster removed: what they still send (a node cut off, not dead) is ignored until they rejoin. */
  private final Set<String> removedNodes = new HashSet<>();
  private final Map<String, Map<String, Integer>> counts = new HashMap<>();
  private final Map<String, Long> pendingOffline = new HashMap<>();
  private final Map<String, String> onlineSince = new HashMap<>();
  private java.util.function.LongConsumer onlineCount = n -> { };

  PresenceTracker(Vertx vertx, long graceMs, long sourceTtlMs, Listener listener, Consumer<String> resync) {
    this.vertx = vertx;
    this.graceMs = graceMs;
    this.sourceTtlNanos = sourceTtlMs * 1_000_000L;
    this.listener = listener;
    this.resync = resync;
  }

  /** Told the number of users online after every change (the metrics gauge). */
  void onlineCount(java.util.function.LongConsumer onlineCount) {
    this.onlineCount = onlineCount;
  }

  boolean isOnline(String username) {
    return onlineSince.containsKey(username);
  }

  String onlineSince(String username) {
    return onlineSince.get(username);
  }

  void apply(String username, String source, String node, int delta) {
    if (removedNodes.contains(node)) {
      return;
    }
    Source s = seen(source, node);
    s.applied++;
    Map<String, Integer> bySource = counts.computeIfAbsent(username, u -> new HashMap<>());
    int next = bySource.getOrDefault(source, 0) + delta;
    if (next > 0) {
      bySource.put(source, next);
    } else {
      bySource.remove(source);
    }
    settle(username);
  }

  void heartbeat(String source, String node, long published) {
    if (removedNodes.contains(node)) {
      return;
    }
    Source s = sources.get(source);
    if (s == null || s.applied != published) {
      askResync(source, s);
    }
    if (s != null) {
      s.lastSeenNanos = System.nanoTime();
    }
  }

  /** A source's full report replaces what we knew of it. */
  void snapshot(String source, String node, long published, JsonObject report) {
    if (removedNodes.contains(node)) {
      return;
    }
    Source s = seen(source, node);
    s.applied = published;
    Set<String> touched = new HashSet<>(report.fieldNames());
    counts.forEach((user, bySource) -> {
      if (bySource.containsKey(source)) {
        touched.add(user);
      }
    });
    for (String user : touched) {
      Map<String, Integer> bySource = counts.computeIfAbsent(user, u -> new HashMap<>());
      Integer n = report.getInteger(user);
      if (n != null && n > 0) {
        bySource.put(source, n);
      } else {
        bySource.remove(source);
      }
      settle(user);
    }
  }

  /** A member left or was dropped by failure detection: its sockets no longer count. */
  void dropNode(String node) {
    removedNodes.add(node);
    List<String> gone = new ArrayList<>();
    sources.forEach((id, s) -> {
      if (s.node.equals(node)) {
        gone.add(id);
      }
    });
    gone.forEach(this::dropSource);
  }

  /** A member joined, or came back after a partition: its sources count again (their heartbeats resync them). */
  void nodeAdded(String node) {
    removedNodes.remove(node);
  }

  /** Backstop for anything the membership listener missed: sources silent for longer than the TTL. */
  void sweep() {
    long now = System.nanoTime();
    List<String> silent = new ArrayList<>();
    sources.forEach((id, s) -> {
      if (now - s.lastSeenNanos > sourceTtlNanos) {
        silent.add(id);
      }
    });
    silent.forEach(this::dropSource);
  }

  int sourceCount() {
    return sources.size();
  }

  private void dropSource(String source) {
    sources.remove(source);
    List<String> affected = new ArrayList<>();
    counts.forEach((user, bySource) -> {
      if (bySource.remove(source) != null) {
        affected.add(user);
      }
    });
    affected.forEach(this::settle);
  }

  private Source seen(String source, String node) {
    Source s = sources.computeIfAbsent(source, id -> new Source(node));
    s.lastSeenNanos = System.nanoTime();
    return s;
  }

  private void askResync(String source, Source s) {
    long now = System.nanoTime();
    if (s != null && now - s.resyncAskedNanos < 1_000_000_000L) {
      return;
    }
    if (s != null) {
      s.resyncAskedNanos = now;
    }
    resync.accept(source);
  }

  private void settle(String username) {
    Map<String, Integer> bySource = counts.get(username);
    boolean hasSockets = bySource != null && !bySource.isEmpty();
    if (!hasSockets) {
      counts.remove(username);
    }
    Long timer = pendingOffline.get(username);
    if (hasSockets) {
      if (timer != null) {
        vertx.cancelTimer(timer);
        pendingOffline.remove(username);
      } else if (!onlineSince.containsKey(username)) {
        String now = Timestamps.now();
        onlineSince.put(username, now);
        onlineCount.accept(onlineSince.size());
        listener.statusChanged(username, true, now);
      }
    } else if (timer == null && onlineSince.containsKey(username)) {
      pendingOffline.put(username, vertx.setTimer(graceMs, t -> {
        pendingOffline.remove(username);
        if (!counts.containsKey(username)) {
          onlineSince.remove(username);
          onlineCount.accept(onlineSince.size());
          listener.statusChanged(username, false, Timestamps.now());
        }
      }));
    }
  }
}
