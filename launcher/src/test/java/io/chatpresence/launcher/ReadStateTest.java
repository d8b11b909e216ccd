package io.chatpresence.launcher;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.db.Pools;
import io.chatpresence.server.testing.TestDatabase;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.chatpresence.launcher.Extensions.direct;
import static io.chatpresence.launcher.Extensions.entry;
import static io.chatpresence.launcher.Extensions.inbox;
import static io.chatpresence.launcher.Extensions.markChat;
import static io.chatpresence.launcher.Extensions.markGroup;
import static io.chatpresence.launcher.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read extension on one server: opting in, MARK_READ, READ and receipts, unread counts, the inbox (frame and
 * REST), bad input, a restart. The contacts limit is 3 here, so that "a larger group" is small.
 */
class ReadStateTest {
  @RegisterExtension
  static final TestServer server = TestServer.perClass(new JsonObject().put(ConfigKeys.CONTACT_GROUP_MAX_MEMBERS, 3));

  private static WsClient reader(TestServer.User u) {
    return Extensions.chat(TestServer.clients(), server.chatPort, u, "read");
  }

  private static String send(WsClient c, String to, String content) {
    c.send(direct(to, content));
    return c.until(f -> "SUCCESS".equals(f.getString("type")) && "sent".equals(f.getString("msg"))).getString("messageId");
  }

  @Test
  void authAnswersTheFeaturesItEnabledAndNothingWhenNoneAsked() {
    TestServer.User u = server.newUser("feat");
    try (WsClient plain = WsClient.connect(TestServer.clients(), server.chatPort);
         WsClient asking = WsClient.connect(TestServer.clients(), server.chatPort);
         WsClient presence = WsClient.connect(TestServer.clients(), server.presencePort)) {
      plain.send(new JsonObject().put("type", "AUTH").put("token", u.token()));
      assertEquals(Set.of("type", "msg", "username"), plain.next("SUCCESS").fieldNames());
      asking.send(new JsonObject().put("type", "AUTH").put("token", u.token())
        .put("features", new JsonArray().add("typing").add("teleport").add(7).add("read")));
      assertEquals(new JsonArray().add("read").add("typing"), asking.next("SUCCESS").getJsonArray("features"));
      // the presence server offers no extension
      presence.send(new JsonObject().put("type", "AUTH").put("token", u.token()).put("features", new JsonArray().add("read")));
      assertEquals(new JsonArray(), presence.next("SUCCESS").getJsonArray("features"));
      // an extension frame on a socket that did not opt in is unknown, as in the client document
      plain.send(markChat("chat_x", "msg_1").put("clientMsgId", "m1"));
      JsonObject error = plain.next("ERROR");
      assertEquals("UNKNOWN_TYPE", error.getString("code"));
      assertEquals("m1", error.getString("clientMsgId"));
    }
  }

  @Test
  void markReadMovesForwardOnlyAndTellsTheReadersOtherSocketsAndThePartner() {
    TestServer.User alice = server.newUser("ra");
    TestServer.User bob = server.newUser("rb");
    try (WsClient alice1 = reader(alice); WsClient alice2 = reader(alice); WsClient alicePlain = server.chat(alice);
         WsClient bobReader = reader(bob); WsClient bobPlain = server.chat(bob)) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ids.add(send(bobReader, alice.name(), "m" + i));
      }
      String chatId = alice1.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type"))).getString("chatId");
      assertEquals(3, entry(alice1, chatId).getLong("unread"));

      alice1.send(markChat(chatId, ids.get(1)).put("clientMsgId", "r1"));
      JsonObject ok = alice1.until(f -> "SUCCESS".equals(f.getString("type")));
      assertEquals(new JsonObject().put("type", "SUCCESS").put("msg", "read").put("chatId", chatId)
        .put("messageId", ids.get(1)).put("unread", 1).put("clientMsgId", "r1"), ok);
      assertEquals(new JsonObject().put("type", "READ").put("chatId", chatId).put("username", alice.name())
        .put("messageId", ids.get(1)).put("unread", 1), alice2.until(f -> "READ".equals(f.getString("type"))));
      assertEquals(new JsonObject().put("type", "READ").put("chatId", chatId).put("username", alice.name())
        .put("messageId", ids.get(1)), bobReader.until(f -> "READ".equals(f.getString("type"))));

      // an older message changes nothing and tells nobody
      alice1.send(markChat(chatId, ids.get(0)));
      JsonObject same = alice1.until(f -> "SUCCESS".equals(f.getString("type")));
      assertEquals(ids.get(1), same.getString("messageId"));
      assertEquals(1, same.getLong("unread"));
      JsonObject e = entry(alice1, chatId);
      assertEquals(ids.get(1), e.getString("readMessageId"));
      assertEquals(1, e.getLong("unread"));
      assertEquals(bob.name(), e.getString("with"));
      assertEquals(ids.get(2), e.getJsonObject("lastMessage").getString("messageId"));
      // bob's position is his last message (sending moves it); alice sees it as the partner's position
      assertEquals(ids.get(2), e.getString("partnerReadMessageId"));

      // sending moves alice's position past bob's third message: bob hears of it, alice's other socket too
      String reply = send(alice1, bob.name(), "reply");
      assertEquals(reply, bobReader.until(f -> "READ".equals(f.getString("type"))).getString("messageId"));
      JsonObject toOther = alice2.until(f -> "READ".equals(f.getString("type")));
      assertEquals(reply, toOther.getString("messageId"));
      assertEquals(0, toOther.getLong("unread"));
      assertEquals(0, entry(alice1, chatId).getLong("unread"));
      assertEquals(reply, entry(bobReader, chatId).getString("partnerReadMessageId"));
      assertEquals(1, entry(bobReader, chatId).getLong("unread"));

      // the sockets that asked for nothing saw the messages and nothing else
      Extensions.onlyClientDocumentFrames(alicePlain, "ONE_TO_ONE_CHAT_HISTORY",
        new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("chatId", chatId));
      Extensions.onlyClientDocumentFrames(bobPlain, "ONE_TO_ONE_CHAT_HISTORY",
        new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("chatId", chatId));
    }
  }

  @Test
  void unreadLeavesOutDeletedMessagesAndPositionsSurviveARestart() {
    TestServer.User alice = server.newUser("da");
    TestServer.User bob = server.newUser("db");
    String chatId;
    List<String> ids = new ArrayList<>();
    try (WsClient a = reader(alice); WsClient b = reader(bob)) {
      for (int i = 0; i < 4; i++) {
        ids.add(send(b, alice.name(), "m" + i));
      }
      chatId = a.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type"))).getString("chatId");
      a.send(markChat(chatId, ids.get(0)));
      assertEquals(3, a.until(f -> "SUCCESS".equals(f.getString("type"))).getLong("unread"));
    }
    // what the edit/delete extension will do to a message: erase it, keep its row and seq
    Pool pool = PgBuilder.pool().connectingTo(Pools.connectOptions(TestDatabase.url())).using(server.vertx).build();
    try {
      await(pool.preparedQuery("UPDATE messages SET deleted_at = now(), content = '' WHERE id = $1")
        .execute(Tuple.of(Long.parseLong(ids.get(2).substring(4)))));
    } finally {
      await(pool.close());
    }
    server.stop();
    server.start();
    try (WsClient a = reader(alice)) {
      JsonObject e = entry(a, chatId);
      assertEquals(2, e.getLong("unread"), e.encode());
      assertEquals(ids.get(0), e.getString("readMessageId"));
      a.send(markChat(chatId, ids.get(3)));
      JsonObject ok = a.until(f -> "SUCCESS".equals(f.getString("type")));
      assertEquals(0, ok.getLong("unread"));
    }
  }

  @Test
  void groupReceiptsAreAtMostOnePerReaderASecondTheLatestAndNoneInLargerGroups() {
    TestServer.User owner = server.newUser("go");
    TestServer.User reading = server.newUser("gr");
    TestServer.User third = server.newUser("gt");
    TestServer.User fourth = server.newUser("gf");
    String small = "rg_small_" + owner.name();
    String large = "rg_large_" + owner.name();
    try (WsClient o = reader(owner); WsClient r = reader(reading); WsClient t = reader(third);
         WsClient f4 = reader(fourth)) {
      for (WsClient c : List.of(o, r, t)) {
        c.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", small));
        c.until(f -> "SUCCESS".equals(f.getString("type")));
      }
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        o.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", small).put("content", "g" + i));
        ids.add(o.until(f -> "SUCCESS".equals(f.getString("type"))).getString("messageId"));
      }
      assertEquals(5, entry(r, small).getLong("unread"));
      for (String id : ids) {
        r.send(markGroup(small, id));
        r.until(f -> "SUCCESS".equals(f.getString("type")) && "read".equals(f.getString("msg")));
      }
      // the first receipt at once, then the latest one when its second is over; nothing more
      List<JsonObject> receipts = new ArrayList<>();
      receipts.add(t.until(f -> "READ".equals(f.getString("type"))));
      receipts.add(t.until(f -> "READ".equals(f.getString("type"))));
      assertEquals(ids.get(0), receipts.get(0).getString("messageId"));
      assertEquals(ids.get(4), receipts.get(1).getString("messageId"));
      assertEquals(reading.name(), receipts.get(1).getString("username"));
      assertFalse(receipts.get(1).containsKey("unread"));
      // the owner (sender) got the same two; the reader's own socket none
      assertEquals(ids.get(4), o.until(f -> "READ".equals(f.getString("type"))
        && ids.get(4).equals(f.getString("messageId"))).getString("messageId"));

      // four members: over the contacts limit (3) here, so nobody else is told
      for (WsClient c : List.of(o, r, t, f4)) {
        c.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", large));
        c.until(f -> "SUCCESS".equals(f.getString("type")));
      }
      o.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", large).put("content", "big"));
      String big = o.until(f -> "SUCCESS".equals(f.getString("type"))).getString("messageId");
      r.send(markGroup(large, big));
      assertEquals(0, r.until(f -> "SUCCESS".equals(f.getString("type")) && "read".equals(f.getString("msg"))).getLong("unread"));
      t.send(new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", large));
      List<JsonObject> skipped = new ArrayList<>();
      t.until(f -> "GROUP_CHAT_HISTORY".equals(f.getString("type")), skipped);
      for (JsonObject f : skipped) {
        assertFalse("READ".equals(f.getString("type")) && large.equals(f.getString("groupId")), f.encode());
      }
    }
  }

  @Test
  void badInputGetsTheContractsErrorsWithClientMsgIdAndChangesNothing() {
    TestServer.User alice = server.newUser("ba");
    TestServer.User bob = server.newUser("bb");
    TestServer.User eve = server.newUser("be");
    try (WsClient a = reader(alice); WsClient b = reader(bob); WsClient e = reader(eve)) {
      String first = send(b, alice.name(), "one");
      String chatId = a.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type"))).getString("chatId");
      String other = send(e, alice.name(), "from eve");
      String group = "bg_" + alice.name();
      e.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", group));
      e.until(f -> "SUCCESS".equals(f.getString("type")));

      record Case(JsonObject frame, String code) {
      }
      List<Case> cases = List.of(
        new Case(markChat(chatId, "msg_999999999"), "NOT_FOUND"),
        new Case(markChat(chatId, other), "NOT_FOUND"),
        new Case(markChat("no_such_chat_" + alice.name(), first), "NOT_FOUND"),
        new Case(markGroup(group, first), "FORBIDDEN"),
        new Case(markChat(chatId, "42"), "INVALID"),
        new Case(markChat(chatId, first).put("messageId", 42), "INVALID"),
        new Case(markChat(chatId, first).put("groupId", group), "INVALID"),
        new Case(new JsonObject().put("type", "MARK_READ").put("messageId", first), "INVALID"),
        new Case(new JsonObject().put("type", "GET_INBOX").put("limit", 0), "INVALID"),
        new Case(new JsonObject().put("type", "GET_INBOX").put("cursor", "bm90IGEgY3Vyc29y"), "INVALID"));
      int n = 0;
      for (Case c : cases) {
        String id = "bad-" + (++n);
        a.send(c.frame().put("clientMsgId", id));
        JsonObject error = a.until(f -> "ERROR".equals(f.getString("type")) || "SUCCESS".equals(f.getString("type")));
        assertEquals("ERROR", error.getString("type"), c.frame().encode() + " -> " + error.encode());
        assertEquals(c.code(), error.getString("code"), c.frame().encode() + " -> " + error.encode());
        assertEquals(id, error.getString("clientMsgId"));
      }
      JsonObject e1 = entry(a, chatId);
      assertEquals(1, e1.getLong("unread"));
      assertNull(e1.getString("readMessageId"));
      assertEquals(400, server.rest.get("/api/inbox?limit=500", alice.token()).status());
      assertEquals(400, server.rest.get("/api/inbox?cursor=zzz", alice.token()).status());
      assertEquals(401, server.rest.get("/api/inbox", null).status());
    }
  }

  @Test
  void inboxPagesChatsAndGroupsMostRecentFirstWithoutRepeatsOrGapsWhileMessagesArrive() {
    TestServer.User me = server.newUser("in");
    List<TestServer.User> partners = new ArrayList<>();
    try (WsClient mine = reader(me)) {
      List<String> order = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        TestServer.User p = server.newUser("ip" + i);
        partners.add(p);
        try (WsClient pc = server.chat(p)) {
          pc.send(direct(me.name(), "hello " + i));
          pc.until(f -> "SUCCESS".equals(f.getString("type")));
        }
        order.add(0, mine.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type"))).getString("chatId"));
        String group = "ig" + i + "_" + me.name();
        mine.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", group));
        mine.until(f -> "SUCCESS".equals(f.getString("type")));
        mine.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", group).put("content", "note " + i));
        mine.until(f -> "SUCCESS".equals(f.getString("type")));
        order.add(0, group);
      }
      JsonObject page1 = inbox(mine, 4, null);
      assertEquals("inbox", page1.getString("clientMsgId"));
      assertEquals(5, page1.getLong("totalUnread"));
      assertTrue(page1.getString("syncToken").length() > 0);
      List<String> seen = new ArrayList<>(ids(page1));
      assertEquals(order.subList(0, 4), seen);
      JsonObject g = page1.getJsonArray("conversations").getJsonObject(0);
      assertEquals("ig4_" + me.name(), g.getString("groupId"));
      assertEquals("ig4_" + me.name(), g.getString("name"));
      assertEquals(0, g.getLong("unread"));
      assertFalse(g.containsKey("partnerReadMessageId"));
      assertEquals("GROUP_CHAT", g.getJsonObject("lastMessage").getString("type"));

      // while paging, a conversation further down gets a message: it moves up for the next first page, but
      // this paging neither repeats it nor skips it
      try (WsClient p0 = server.chat(partners.get(0))) {
        p0.send(direct(me.name(), "again"));
        p0.until(f -> "SUCCESS".equals(f.getString("type")));
      }
      String cursor = page1.getString("next");
      while (cursor != null) {
        JsonObject page = inbox(mine, 4, cursor);
        seen.addAll(ids(page));
        cursor = page.getString("next");
      }
      assertEquals(order, seen);
      assertEquals(new HashSet<>(seen).size(), seen.size());

      JsonObject fresh = inbox(mine, 2, null);
      assertEquals(order.get(order.size() - 1), ids(fresh).get(0));
      assertEquals(6, fresh.getLong("totalUnread"));
      // REST answers the same body
      JsonObject rest = server.rest.get("/api/inbox?limit=2", me.token()).json();
      assertEquals(ids(fresh), ids(rest));
      assertEquals(6, rest.getLong("totalUnread"));
      JsonObject top = rest.getJsonArray("conversations").getJsonObject(0);
      assertEquals(partners.get(0).name(), top.getString("with"));
      assertEquals(2, top.getLong("unread"));
      assertEquals("again", top.getJsonObject("lastMessage").getString("content"));
      assertEquals(Set.of("type", "from", "to", "content", "chatId", "timestamp", "messageId"),
        top.getJsonObject("lastMessage").fieldNames());
    }
  }

  @Test
  void aSocketThatAskedForNothingGetsExactlyTheClientDocumentWhileOthersReadAndType() {
    TestServer.User alice = server.newUser("pa");
    TestServer.User bob = server.newUser("pb");
    String group = "pg_" + alice.name();
    try (WsClient plain = server.chat(alice);
         WsClient aliceAll = Extensions.chat(TestServer.clients(), server.chatPort, alice, "read", "typing");
         WsClient bobAll = Extensions.chat(TestServer.clients(), server.chatPort, bob, "read", "typing")) {
      for (WsClient c : List.of(aliceAll, bobAll)) {
        c.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", group));
        c.until(f -> "SUCCESS".equals(f.getString("type")));
      }
      String chatId = null;
      for (int i = 0; i < 3; i++) {
        bobAll.send(Extensions.typing("groupId", group, true));
        bobAll.send(direct(alice.name(), "d" + i));
        JsonObject sent = bobAll.until(f -> "SUCCESS".equals(f.getString("type")));
        chatId = sent.getString("chatId");
        bobAll.send(Extensions.typing("chatId", chatId, true));
        bobAll.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", group).put("content", "g" + i));
        String g = bobAll.until(f -> "SUCCESS".equals(f.getString("type"))).getString("messageId");
        aliceAll.send(Extensions.typing("chatId", chatId, true));
        aliceAll.send(markChat(chatId, sent.getString("messageId")));
        aliceAll.send(markGroup(group, g));
        aliceAll.send(direct(bob.name(), "r" + i));
        aliceAll.send(new JsonObject().put("type", "GET_INBOX"));
      }
      aliceAll.until(f -> "INBOX".equals(f.getString("type")));
      aliceAll.until(f -> "INBOX".equals(f.getString("type")));
      aliceAll.until(f -> "INBOX".equals(f.getString("type")));
      // the plain socket: the messages and the JOINED info, in the client document's formats, nothing else
      plain.send(new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("chatId", chatId));
      List<JsonObject> got = new ArrayList<>();
      plain.until(f -> "ONE_TO_ONE_CHAT_HISTORY".equals(f.getString("type")), got);
      Set<String> direct = Set.of("type", "from", "to", "content", "chatId", "timestamp", "messageId");
      Set<String> groupChat = Set.of("type", "from", "groupId", "content", "timestamp", "messageId");
      Set<String> info = Set.of("type", "msg", "event", "groupId", "username");
      int messages = 0;
      for (JsonObject f : got) {
        Set<String> expected = switch (f.getString("type")) {
          case "ONE_TO_ONE_CHAT" -> direct;
          case "GROUP_CHAT" -> groupChat;
          case "INFO" -> info;
          default -> throw new AssertionError("not of the client document: " + f.encode());
        };
        assertEquals(expected, f.fieldNames(), f.encode());
        messages += "INFO".equals(f.getString("type")) ? 0 : 1;
      }
      assertEquals(9, messages, got.toString());
    }
  }

  @Test
  void retriesRacingOnTwoSocketsBurnNoSeqSoUnreadStaysExact() {
    TestServer.User alice = server.newUser("sa");
    TestServer.User bob = server.newUser("sb");
    try (WsClient a = reader(alice); WsClient b1 = server.chat(bob); WsClient b2 = server.chat(bob)) {
      int rounds = 30;
      for (int i = 0; i < rounds; i++) {
        JsonObject frame = direct(alice.name(), "retry " + i).put("clientMsgId", "same-" + i);
        b1.send(frame);
        b2.send(frame);
      }
      for (int i = 0; i < rounds; i++) {
        b1.until(f -> "SUCCESS".equals(f.getString("type")));
        b2.until(f -> "SUCCESS".equals(f.getString("type")));
      }
      String chatId = a.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type"))).getString("chatId");
      assertEquals(rounds, a.oneToOneHistory(bob.name()).size());
      assertEquals(rounds, entry(a, chatId).getLong("unread"));
    }
  }

  private static List<String> ids(JsonObject page) {
    List<String> ids = new ArrayList<>();
    for (Object o : page.getJsonArray("conversations")) {
      JsonObject e = (JsonObject) o;
      ids.add(e.containsKey("chatId") ? e.getString("chatId") : e.getString("groupId"));
    }
    return ids;
  }
}
