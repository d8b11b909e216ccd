package io.chatpresence.launcher.reliability;

import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What one presence socket shows: each contact's last status, and when (test clock) it last changed. Read with
 * {@link #poll}, which takes whatever frames arrived, so that waiting longer than the socket's frame deadline
 * (a vanished client is noticed after half a minute of silence) is fine.
 */
final class PresenceView {
  final WsClient socket;
  final Map<String, String> status = new HashMap<>();
  final Map<String, Long> changedAt = new HashMap<>();
  int updates;
  /** Every update: [user, status, nanoTime], for the scenario's timeline. */
  final java.util.List<Object[]> log = new java.util.ArrayList<>();

  PresenceView(WsClient socket) {
    this.socket = socket;
  }

  PresenceView poll() {
    for (JsonObject f : socket.pending()) {
      if ("PRESENCE_UPDATE".equals(f.getString("type"))) {
        String user = f.getString("username");
        log.add(new Object[] {user, f.getString("status"), System.nanoTime()});
        if (!f.getString("status").equals(status.put(user, f.getString("status")))) {
          changedAt.put(user, System.nanoTime());
        }
        updates++;
      }
    }
    return this;
  }

  /** The updates since {@code since} (nanoTime), as "+1234ms user status" lines. */
  String timeline(long since) {
    StringBuilder b = new StringBuilder();
    for (Object[] e : log) {
      long t = (Long) e[2];
      if (t >= since) {
        b.append(String.format("%+dms %s %s; ", (t - since) / 1_000_000, e[0], e[1]));
      }
    }
    return b.toString();
  }

  boolean online(String user) {
    return "online".equals(status.get(user));
  }

  /** Whether exactly {@code online} of {@code users} are shown online and the others not. */
  boolean shows(Set<String> users, Set<String> online) {
    poll();
    for (String u : users) {
      if (online(u) != online.contains(u)) {
        return false;
      }
    }
    return true;
  }
}
