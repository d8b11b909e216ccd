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

  PresenceView(WsClient socket) {
    this.socket = socket;
  }

  PresenceView poll() {
    for (JsonObject f : socket.pending()) {
      if ("PRESENCE_UPDATE".equals(f.getString("type"))) {
        String user = f.getString("username");
        if (!f.getString("status").equals(status.put(user, f.getString("status")))) {
          changedAt.put(user, System.nanoTime());
        }
        updates++;
      }
    }
    return this;
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
