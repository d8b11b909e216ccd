package io.chatpresence.presence;

import io.chatpresence.common.protocol.Timestamps;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Who is online: for each user, how many authenticated sockets each source (a verticle instance that owns
 * sockets) reports. A user is online while the sum is positive. Going to zero starts a grace period; a
 * socket opening again within it cancels the offline, so a quick reconnect shows no flap.
 * Touched only on the presence verticle's event loop.
 */
final class PresenceTracker {
  interface Listener {
    void statusChanged(String username, boolean online, String timestamp);
  }

  private final Vertx vertx;
  private final long graceMs;
  private final Listener listener;
  private final Map<String, Map<String, Integer>> counts = new HashMap<>();
  private final Map<String, Long> pendingOffline = new HashMap<>();
  private final Map<String, String> onlineSince = new HashMap<>();

  PresenceTracker(Vertx vertx, long graceMs, Listener listener) {
    this.vertx = vertx;
    this.graceMs = graceMs;
    this.listener = listener;
  }

  boolean isOnline(String username) {
    return onlineSince.containsKey(username);
  }

  String onlineSince(String username) {
    return onlineSince.get(username);
  }

  void apply(String username, String source, int delta) {
    Map<String, Integer> bySource = counts.computeIfAbsent(username, u -> new HashMap<>());
    int next = bySource.getOrDefault(source, 0) + delta;
    if (next > 0) {
      bySource.put(source, next);
    } else {
      bySource.remove(source);
    }
    settle(username);
  }

  /** A source's full report replaces what we knew of it (after a resync). */
  void replaceSource(String source, JsonObject report) {
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
        listener.statusChanged(username, true, now);
      }
    } else if (timer == null && onlineSince.containsKey(username)) {
      pendingOffline.put(username, vertx.setTimer(graceMs, t -> {
        pendingOffline.remove(username);
        if (!counts.containsKey(username)) {
          onlineSince.remove(username);
          listener.statusChanged(username, false, Timestamps.now());
        }
      }));
    }
  }
}
