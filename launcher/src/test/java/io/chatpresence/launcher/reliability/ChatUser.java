package io.chatpresence.launcher.reliability;

import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A client of the scenarios: one chat socket, messages with a {@code clientMsgId} each, resent after a reconnect
 * or when asked until acknowledged (a well-written front end), and what arrived live. The test thread drives it:
 * {@link #poll} takes whatever frames came.
 */
final class ChatUser {
  final String name;
  final String token;
  WsClient socket;
  /** clientMsgId -> [to, content], in sending order. */
  final Map<String, String[]> sent = new LinkedHashMap<>();
  /** clientMsgId -> messageId. */
  final Map<String, String> acked = new HashMap<>();
  /** clientMsgId -> when it was first sent (nanoTime), until acknowledged. */
  final Map<String, Long> unackedSince = new LinkedHashMap<>();
  /** messageId -> when it arrived live (nanoTime). */
  final Map<String, Long> receivedLive = new HashMap<>();
  final List<JsonObject> errors = new ArrayList<>();
  private int serial;

  ChatUser(String name, String token) {
    this.name = name;
    this.token = token;
  }

  ChatUser connect(Vertx vertx, int port) {
    socket = WsClient.authenticated(vertx, port, token);
    return this;
  }

  boolean connected() {
    return socket != null && !socket.isClosed();
  }

  /** Sends a new message to {@code to}; its clientMsgId. */
  String send(String to) {
    String id = name + "-" + serial++;
    String content = "from " + name + " to " + to + " #" + id;
    sent.put(id, new String[] {to, content});
    unackedSince.put(id, System.nanoTime());
    write(id);
    return id;
  }

  /** Sends again every message not yet acknowledged (same clientMsgIds: the server stores each once). */
  int resendUnacked() {
    int n = 0;
    for (String id : List.copyOf(unackedSince.keySet())) {
      write(id);
      n++;
    }
    return n;
  }

  private void write(String id) {
    if (!connected()) {
      return;
    }
    String[] m = sent.get(id);
    try {
      socket.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", m[0]).put("content", m[1])
        .put("clientMsgId", id));
    } catch (RuntimeException closed) {
      // sent again after the reconnect
    }
  }

  ChatUser poll() {
    if (socket == null) {
      return this;
    }
    for (JsonObject f : socket.pending()) {
      switch (String.valueOf(f.getString("type"))) {
        case "SUCCESS" -> {
          String id = f.getString("clientMsgId");
          if (id != null && sent.containsKey(id)) {
            acked.put(id, f.getString("messageId"));
            unackedSince.remove(id);
          }
        }
        case "ONE_TO_ONE_CHAT" -> receivedLive.putIfAbsent(f.getString("messageId"), System.nanoTime());
        case "ERROR" -> errors.add(f);
        default -> {
        }
      }
    }
    return this;
  }

  /** Every message of the chat with {@code peer}, oldest first (all pages): the catch-up a client does. */
  List<JsonObject> history(String peer) {
    List<JsonObject> all = socket.oneToOneHistory(peer);
    return all;
  }

  /** Missing and duplicated acknowledged messages of this sender, from the histories of its chats. */
  int[] audit(Map<String, List<JsonObject>> historyByPeer) {
    Map<String, Integer> copies = new HashMap<>();
    for (List<JsonObject> history : historyByPeer.values()) {
      for (JsonObject m : history) {
        if (name.equals(m.getString("from"))) {
          copies.merge(m.getString("content"), 1, Integer::sum);
        }
      }
    }
    int missing = 0;
    for (String id : acked.keySet()) {
      if (!copies.containsKey(sent.get(id)[1])) {
        missing++;
      }
    }
    int duplicated = 0;
    for (int n : copies.values()) {
      duplicated += n - 1;
    }
    return new int[] {missing, duplicated};
  }

  Set<String> peers() {
    Set<String> peers = new java.util.TreeSet<>();
    sent.values().forEach(m -> peers.add(m[0]));
    return peers;
  }

  void close() {
    if (socket != null) {
      socket.close();
    }
  }
}
