package io.chatpresence.launcher;

import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test helpers for the extension frames (read, typing): sockets that opt in, and frames to send. */
final class Extensions {
  private Extensions() {
  }

  /** A chat socket authenticated with {@code features}; checks that SUCCESS names them back. */
  static WsClient chat(Vertx clients, int port, TestServer.User user, String... features) {
    WsClient c = WsClient.connect(clients, port);
    c.send(new JsonObject().put("type", "AUTH").put("token", user.token()).put("features", new JsonArray(List.of(features))));
    JsonObject ok = c.next("SUCCESS");
    assertEquals(new JsonArray(List.of(features)), ok.getJsonArray("features"), ok.encode());
    return c;
  }

  static JsonObject direct(String to, String content) {
    return new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", to).put("content", content);
  }

  static JsonObject markChat(String chatId, String messageId) {
    return new JsonObject().put("type", "MARK_READ").put("chatId", chatId).put("messageId", messageId);
  }

  static JsonObject markGroup(String groupId, String messageId) {
    return new JsonObject().put("type", "MARK_READ").put("groupId", groupId).put("messageId", messageId);
  }

  static JsonObject typing(String idField, String id, boolean typing) {
    return new JsonObject().put("type", "TYPING").put(idField, id).put("typing", typing);
  }

  static JsonObject inbox(WsClient c, Integer limit, String cursor) {
    JsonObject req = new JsonObject().put("type", "GET_INBOX").put("clientMsgId", "inbox");
    if (limit != null) {
      req.put("limit", limit);
    }
    if (cursor != null) {
      req.put("cursor", cursor);
    }
    c.send(req);
    return c.until(f -> "INBOX".equals(f.getString("type")));
  }

  /** The inbox entry of one conversation (by chatId or groupId), reading every page. */
  static JsonObject entry(WsClient c, String id) {
    String cursor = null;
    do {
      JsonObject page = inbox(c, 200, cursor);
      for (Object o : page.getJsonArray("conversations")) {
        JsonObject e = (JsonObject) o;
        if (id.equals(e.getString("chatId")) || id.equals(e.getString("groupId"))) {
          return e;
        }
      }
      cursor = page.getString("next");
    } while (cursor != null);
    throw new AssertionError("no inbox entry for " + id);
  }

  /**
   * Asks for history and checks that, until its answer, only frames of the client document came (messages,
   * INFO): what a socket that opted into nothing may ever see.
   */
  static void onlyClientDocumentFrames(WsClient plain, String historyType, JsonObject historyRequest) {
    plain.send(historyRequest);
    List<JsonObject> before = new ArrayList<>();
    plain.until(f -> historyType.equals(f.getString("type")), before);
    for (JsonObject f : before) {
      assertTrue(Set.of("ONE_TO_ONE_CHAT", "GROUP_CHAT", "INFO").contains(f.getString("type")), f.encode());
    }
  }
}
