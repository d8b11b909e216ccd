package io.chatpresence.launcher;

import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chat WebSocket: sending, delivery, idempotency, history. */
class ChatSocketTest {
  @RegisterExtension
  static final TestServer server = TestServer.perClass(new JsonObject());

  static JsonObject direct(String to, String content) {
    return new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", to).put("content", content);
  }

  static JsonObject history(String to) {
    return new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("to", to);
  }

  @Test
  void directMessageIsAcknowledgedThenDeliveredToEveryOtherSocketInTheReceivedFormat() {
    TestServer.User alice = server.newUser("alice");
    TestServer.User bob = server.newUser("bob");
    try (WsClient sender = server.chat(alice); WsClient senderTab = server.chat(alice);
         WsClient bob1 = server.chat(bob); WsClient bob2 = server.chat(bob)) {
      sender.send(direct(bob.name(), "Hello there!").put("from", alice.name()).put("chatId", "chat_" + alice.name())
        .put("clientMsgId", "c-1"));
      JsonObject ack = sender.next("SUCCESS");
      assertEquals("sent", ack.getString("msg"));
      assertEquals("c-1", ack.getString("clientMsgId"));
      assertEquals("chat_" + alice.name(), ack.getString("chatId"));
      assertTrue(ack.getString("messageId").matches("msg_\\d+"));
      assertTrue(ack.getString("timestamp").endsWith("Z"));
      Instant.parse(ack.getString("timestamp"));

      for (WsClient receiver : new WsClient[] {senderTab, bob1, bob2}) {
        JsonObject msg = receiver.next("ONE_TO_ONE_CHAT");
        assertEquals(Set.of("type", "from", "to", "content", "chatId", "timestamp", "messageId"), msg.fieldNames());
        assertEquals(alice.name(), msg.getString("from"));
        assertEquals(bob.name(), msg.getString("to"));
        assertEquals("Hello there!", msg.getString("content"));
        assertEquals(ack.getString("messageId"), msg.getString("messageId"));
        assertEquals(ack.getString("timestamp"), msg.getString("timestamp"));
      }
      // the sending socket gets the acknowledgement only: the next thing it sees is its history answer
      sender.send(history(bob.name()));
      assertEquals(1, sender.next("ONE_TO_ONE_CHAT_HISTORY").getJsonArray("messages").size());
    }
  }

  @Test
  void repeatedClientMsgIdStoresNothingNewAndAnswersTheFirstSuccess() {
    TestServer.User alice = server.newUser("idem");
    TestServer.User bob = server.newUser("idem");
    try (WsClient a = server.chat(alice); WsClient b = server.chat(bob)) {
      a.send(direct(bob.name(), "once").put("clientMsgId", "retry-me"));
      JsonObject first = a.next("SUCCESS");
      a.send(direct(bob.name(), "once").put("clientMsgId", "retry-me"));
      JsonObject second = a.next("SUCCESS");
      assertEquals(first.getString("messageId"), second.getString("messageId"));
      assertEquals(first.getString("timestamp"), second.getString("timestamp"));

      assertEquals(first.getString("messageId"), b.next("ONE_TO_ONE_CHAT").getString("messageId"));
      b.send(history(alice.name()));
      JsonObject page = b.next("ONE_TO_ONE_CHAT_HISTORY");
      assertEquals(1, page.getJsonArray("messages").size(), "stored once, delivered once");
    }
  }

  @Test
  void chatIdIsOptionalAndAnotherPairsChatIdIsForbidden() {
    TestServer.User alice = server.newUser("cid");
    TestServer.User bob = server.newUser("cid");
    TestServer.User mallory = server.newUser("cid");
    try (WsClient a = server.chat(alice); WsClient m = server.chat(mallory)) {
      a.send(direct(bob.name(), "no chat id"));
      String chatId = a.next("SUCCESS").getString("chatId");
      a.send(direct(bob.name(), "explicit").put("chatId", chatId));
      assertEquals(chatId, a.next("SUCCESS").getString("chatId"));

      m.send(direct(bob.name(), "hijack").put("chatId", chatId).put("clientMsgId", "m1"));
      JsonObject error = m.next("ERROR");
      assertEquals("FORBIDDEN", error.getString("code"));
      assertEquals("m1", error.getString("clientMsgId"));
      m.send(new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("chatId", chatId));
      assertEquals("FORBIDDEN", m.next("ERROR").getString("code"));

      a.send(history(bob.name()));
      assertEquals(2, a.next("ONE_TO_ONE_CHAT_HISTORY").getJsonArray("messages").size());
    }
  }

  @Test
  void historyPagesNewestFirstPageThenBeforeAndAfterCursors() {
    TestServer.User alice = server.newUser("hist");
    TestServer.User bob = server.newUser("hist");
    try (WsClient a = server.chat(alice)) {
      for (int i = 1; i <= 30; i++) {
        a.send(direct(bob.name(), "m" + i));
        a.next("SUCCESS");
      }
      a.send(history(bob.name()).put("limit", 10));
      JsonObject newest = a.next("ONE_TO_ONE_CHAT_HISTORY");
      assertEquals(contents(21, 30), contents(newest.getJsonArray("messages")));
      assertTrue(newest.getBoolean("hasMore"));

      String oldestShown = newest.getJsonArray("messages").getJsonObject(0).getString("messageId");
      a.send(history(bob.name()).put("limit", 15).put("before", oldestShown));
      JsonObject older = a.next("ONE_TO_ONE_CHAT_HISTORY");
      assertEquals(contents(6, 20), contents(older.getJsonArray("messages")));
      assertTrue(older.getBoolean("hasMore"));

      a.send(history(bob.name()).put("limit", 10).put("before", older.getJsonArray("messages").getJsonObject(0).getString("messageId")));
      JsonObject oldest = a.next("ONE_TO_ONE_CHAT_HISTORY");
      assertEquals(contents(1, 5), contents(oldest.getJsonArray("messages")));
      assertFalse(oldest.getBoolean("hasMore"));

      String fifth = oldest.getJsonArray("messages").getJsonObject(4).getString("messageId");
      a.send(history(bob.name()).put("limit", 20).put("after", fifth));
      JsonObject after = a.next("ONE_TO_ONE_CHAT_HISTORY");
      assertEquals(contents(6, 25), contents(after.getJsonArray("messages")));
      assertTrue(after.getBoolean("hasMore"));

      a.send(history(bob.name()));
      assertEquals(30, a.next("ONE_TO_ONE_CHAT_HISTORY").getJsonArray("messages").size(), "default limit 50");

      a.send(history(bob.name()).put("limit", 201));
      assertEquals("INVALID", a.next("ERROR").getString("code"));
      a.send(history(bob.name()).put("before", "msg_1").put("after", "msg_2"));
      assertEquals("INVALID", a.next("ERROR").getString("code"));
      a.send(history(bob.name()).put("before", "nonsense"));
      assertEquals("INVALID", a.next("ERROR").getString("code"));
    }
  }

  @Test
  void historyOfAChatNeverUsedIsEmpty() {
    TestServer.User alice = server.newUser("empty");
    TestServer.User bob = server.newUser("empty");
    try (WsClient a = server.chat(alice)) {
      a.send(history(bob.name()).put("chatId", "chat_never_used_" + alice.name()));
      JsonObject page = a.next("ONE_TO_ONE_CHAT_HISTORY");
      assertEquals(0, page.getJsonArray("messages").size());
      assertFalse(page.getBoolean("hasMore"));
    }
  }

  @Test
  void messagesToUnknownUsersOrYourselfAreRefused() {
    TestServer.User alice = server.newUser("lonely");
    try (WsClient a = server.chat(alice)) {
      a.send(direct("ghost_" + System.nanoTime() % 1_000_000, "hi"));
      assertEquals("NOT_FOUND", a.next("ERROR").getString("code"));
      a.send(direct(alice.name(), "me"));
      assertEquals("INVALID", a.next("ERROR").getString("code"));
    }
  }

  @Test
  void aSendersMessagesKeepTheirOrder() {
    TestServer.User alice = server.newUser("order");
    TestServer.User bob = server.newUser("order");
    try (WsClient a = server.chat(alice); WsClient b = server.chat(bob)) {
      for (int i = 0; i < 30; i++) {
        a.send(direct(bob.name(), "n" + i).put("clientMsgId", "o" + i));
      }
      String previous = null;
      for (int i = 0; i < 30; i++) {
        JsonObject ack = a.next("SUCCESS");
        assertEquals("o" + i, ack.getString("clientMsgId"));
        JsonObject got = b.next("ONE_TO_ONE_CHAT");
        assertEquals("n" + i, got.getString("content"));
        if (previous != null) {
          assertTrue(Long.parseLong(got.getString("messageId").substring(4)) > Long.parseLong(previous.substring(4)));
        }
        previous = got.getString("messageId");
      }
    }
  }

  /**
   * A burst from one socket to two chats, with refusals in it: the answers come in the order sent (a socket's next
   * message is queued before the previous one is stored, docs/performance.md), each chat's messages are stored in
   * that order, and a history request after the burst is answered after all of it and sees all of it.
   */
  @Test
  void aBurstIsAnsweredInTheOrderSentAndAHistoryAfterItSeesAllOfIt() {
    TestServer.User alice = server.newUser("burst");
    TestServer.User bob = server.newUser("burst");
    TestServer.User carol = server.newUser("burst");
    int frames = 34; // within the default burst of the rate limit
    try (WsClient a = server.chat(alice); WsClient b = server.chat(bob)) {
      for (int i = 0; i < frames; i++) {
        String to = i == 20 ? "ghost_" + System.nanoTime() % 1_000_000 : i % 2 == 0 ? bob.name() : carol.name();
        a.send(direct(to, i == 11 ? "" : "b" + i).put("clientMsgId", "q" + i));
      }
      a.send(history(bob.name()));
      for (int i = 0; i < frames; i++) {
        JsonObject answer = a.next();
        assertEquals("q" + i, answer.getString("clientMsgId"), "answer " + i + ": " + answer.encode());
        assertEquals(i == 11 || i == 20 ? "ERROR" : "SUCCESS", answer.getString("type"), answer.encode());
      }
      JsonArray page = a.next("ONE_TO_ONE_CHAT_HISTORY").getJsonArray("messages");
      JsonArray expected = new JsonArray();
      for (int i = 0; i < frames; i += 2) {
        if (i != 20) {
          expected.add("b" + i);
        }
      }
      JsonArray shown = new JsonArray();
      page.forEach(m -> shown.add(((JsonObject) m).getString("content")));
      assertEquals(expected, shown);
      for (Object content : expected) {
        assertEquals(content, b.next("ONE_TO_ONE_CHAT").getString("content"));
      }
    }
  }

  @Test
  void disconnectClosesWith1000() {
    try (WsClient a = server.chat(server.newUser("bye"))) {
      a.send(new JsonObject().put("type", "DISCONNECT"));
      assertEquals(1000, a.closeCode());
    }
  }

  @Test
  void successCarriesNoClientMsgIdWhenNoneWasGiven() {
    TestServer.User alice = server.newUser("plain");
    TestServer.User bob = server.newUser("plain");
    try (WsClient a = server.chat(alice)) {
      a.send(direct(bob.name(), "x"));
      JsonObject ack = a.next("SUCCESS");
      assertNull(ack.getString("clientMsgId"));
      assertNotEquals(null, ack.getString("messageId"));
    }
  }

  static JsonArray contents(int from, int to) {
    JsonArray list = new JsonArray();
    for (int i = from; i <= to; i++) {
      list.add("m" + i);
    }
    return list;
  }

  static JsonArray contents(JsonArray messages) {
    JsonArray list = new JsonArray();
    messages.forEach(m -> list.add(((JsonObject) m).getString("content")));
    return list;
  }
}
