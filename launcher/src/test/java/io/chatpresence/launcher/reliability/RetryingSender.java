package io.chatpresence.launcher.reliability;

import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client that sends numbered messages with a {@code clientMsgId} and, like a well-written front end,
 * resends whatever was not acknowledged after it reconnects.
 */
final class RetryingSender {
  final String username;
  final String token;
  final String peer;
  final Map<String, String> toSend = new LinkedHashMap<>();
  final Map<String, String> acked = new LinkedHashMap<>();
  private WsClient socket;

  RetryingSender(String username, String token, String peer, int messages) {
    this.username = username;
    this.token = token;
    this.peer = peer;
    for (int i = 0; i < messages; i++) {
      toSend.put(username + "-" + i, username + " message " + i);
    }
  }

  boolean connect(Vertx vertx, int port) {
    try {
      socket = WsClient.authenticated(vertx, port, token);
      return true;
    } catch (RuntimeException | AssertionError e) {
      return false;
    }
  }

  /** Sends every message not yet acknowledged, without waiting. */
  void sendUnacked() {
    for (Map.Entry<String, String> m : toSend.entrySet()) {
      if (!acked.containsKey(m.getKey())) {
        socket.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", peer)
          .put("content", m.getValue()).put("clientMsgId", m.getKey()));
      }
    }
  }

  /** Reads answers until {@code target} messages are acknowledged or the socket is gone. */
  void readAcks(int target) {
    while (acked.size() < target && !socket.isClosed()) {
      JsonObject frame;
      try {
        frame = socket.next();
      } catch (AssertionError | RuntimeException e) {
        break;
      }
      take(frame);
    }
  }

  /** After the socket died: the acknowledgements that made it before the end. */
  void drain() {
    socket.pending().forEach(this::take);
    socket.close();
  }

  private void take(JsonObject frame) {
    if ("SUCCESS".equals(frame.getString("type")) && frame.getString("clientMsgId") != null) {
      acked.put(frame.getString("clientMsgId"), frame.getString("messageId"));
    }
  }

  /** Every message of this chat, oldest first. */
  List<JsonObject> history() {
    return socket.oneToOneHistory(peer);
  }

  void close() {
    if (socket != null) {
      socket.close();
    }
  }

  /** [missing acknowledged, duplicated] in the stored history. */
  int[] audit(List<JsonObject> history) {
    Map<String, Integer> copies = new LinkedHashMap<>();
    for (JsonObject m : history) {
      if (username.equals(m.getString("from"))) {
        copies.merge(m.getString("content"), 1, Integer::sum);
      }
    }
    int missing = 0;
    for (String clientMsgId : acked.keySet()) {
      if (!copies.containsKey(toSend.get(clientMsgId))) {
        missing++;
      }
    }
    int duplicated = 0;
    for (int n : copies.values()) {
      duplicated += n - 1;
    }
    return new int[] {missing, duplicated};
  }
}
