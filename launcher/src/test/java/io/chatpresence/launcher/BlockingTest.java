package io.chatpresence.launcher;

import io.chatpresence.server.db.Pools;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.TestDatabase;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static io.chatpresence.launcher.Extensions.direct;
import static io.chatpresence.launcher.Extensions.entry;
import static io.chatpresence.launcher.Extensions.markChat;
import static io.chatpresence.launcher.Extensions.markGroup;
import static io.chatpresence.launcher.Extensions.typing;
import static io.chatpresence.launcher.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocking on one server: the REST calls and their errors, sends refused both ways and not stored (checked in
 * the database), typing and receipts suppressed in the pair's chat and not in shared groups, presence hidden both
 * ways at once, unblocking restoring all of it, and blocks in the export and gone after erasure.
 */
class BlockingTest {
  private static final String KEY = "blocking-test-admin-key-0123456789";

  @RegisterExtension
  static final TestServer SERVER = TestServer.perClass(new JsonObject().put("ADMIN_API_KEYS", KEY));
  private static Pool pool;

  @BeforeAll
  static void connect() {
    pool = PgBuilder.pool().connectingTo(Pools.connectOptions(TestDatabase.url())).using(TestServer.clients()).build();
  }

  @AfterAll
  static void disconnect() {
    await(pool.close());
  }

  private static Rest rest() {
    return SERVER.rest;
  }

  private static int block(TestServer.User who, String whom) {
    return rest().post("/api/blocks", new JsonObject().put("username", whom), who.token()).status();
  }

  private static int unblock(TestServer.User who, String whom) {
    return rest().delete("/api/blocks/" + whom, null, who.token()).status();
  }

  private static JsonArray blocks(TestServer.User who) {
    Rest.Response r = rest().get("/api/blocks", who.token());
    assertEquals(200, r.status(), r.body());
    return r.array();
  }

  private static long count(String sql, Object... params) {
    return await(pool.preparedQuery(sql).execute(Tuple.from(params))).iterator().next().getLong(0);
  }

  private static void refused(Rest.Response r, int status, String code) {
    assertEquals(status, r.status(), r.body());
    assertEquals(code, r.json().getString("error"), r.body());
  }

  private static JsonObject join(WsClient c, String groupId) {
    c.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
    return c.until(f -> "SUCCESS".equals(f.getString("type")));
  }

  @Test
  void theRestCallsAnswerAsTheContractSays() {
    TestServer.User a = SERVER.newUser("bl");
    TestServer.User b = SERVER.newUser("bl");
    assertEquals(204, block(a, b.name()));
    JsonArray list = blocks(a);
    assertEquals(1, list.size(), list.encode());
    assertEquals(b.name(), list.getJsonObject(0).getString("username"));
    String since = list.getJsonObject(0).getString("since");
    assertTrue(since.endsWith("Z"), since);

    assertEquals(204, block(a, b.name()), "blocking twice is fine");
    assertEquals(list, blocks(a), "and changes nothing: since stays the first");
    assertEquals(new JsonArray(), blocks(b), "b blocks nobody");

    refused(rest().post("/api/blocks", new JsonObject().put("username", a.name()), a.token()), 400, "INVALID");
    refused(rest().post("/api/blocks", new JsonObject().put("username", "nobody_" + a.name()), a.token()), 404, "NOT_FOUND");
    refused(rest().post("/api/blocks", new JsonObject().put("username", "x"), a.token()), 400, "INVALID");
    refused(rest().post("/api/blocks", new JsonObject(), a.token()), 400, "INVALID");
    refused(rest().post("/api/blocks", new JsonObject().put("username", b.name()), null), 401, "AUTH_FAILED");
    refused(rest().get("/api/blocks", null), 401, "AUTH_FAILED");
    refused(rest().delete("/api/blocks/" + a.name(), null, a.token()), 400, "INVALID");
    refused(rest().delete("/api/blocks/x", null, a.token()), 400, "INVALID");
    assertEquals(list, blocks(a), "bad input changed nothing");

    assertEquals(204, unblock(a, b.name()));
    assertEquals(204, unblock(a, b.name()), "unblocking is idempotent");
    assertEquals(new JsonArray(), blocks(a));
    assertEquals(0, count("SELECT count(*) FROM blocks WHERE blocker = $1", a.name()));
  }

  @Test
  void sendsAreRefusedBothWaysAndNothingIsStored() {
    TestServer.User a = SERVER.newUser("bs");
    TestServer.User b = SERVER.newUser("bs");
    TestServer.User c = SERVER.newUser("bs");
    String groupId = "bsg_" + a.name();
    try (WsClient wa = SERVER.chat(a); WsClient wb = SERVER.chat(b)) {
      wa.send(direct(b.name(), "before"));
      String chatId = wa.until(f -> "SUCCESS".equals(f.getString("type"))).getString("chatId");
      wb.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type")));
      join(wa, groupId);
      join(wb, groupId);

      assertEquals(204, block(a, b.name()));
      wa.send(direct(b.name(), "from the blocker").put("clientMsgId", "x-1"));
      JsonObject error = wa.until(f -> "ERROR".equals(f.getString("type")));
      assertEquals("FORBIDDEN", error.getString("code"), error.encode());
      assertEquals("x-1", error.getString("clientMsgId"));
      wb.send(direct(a.name(), "from the blocked").put("chatId", chatId).put("clientMsgId", "y-1"));
      error = wb.until(f -> "ERROR".equals(f.getString("type")));
      assertEquals("FORBIDDEN", error.getString("code"), error.encode());
      assertEquals("y-1", error.getString("clientMsgId"));
      wb.send(direct(a.name(), "without clientMsgId"));
      assertEquals("FORBIDDEN", wb.until(f -> "ERROR".equals(f.getString("type"))).getString("code"));
      // the server-side API's send-as-user takes the same path
      refused(rest().post("/api/admin/messages", new JsonObject().put("from", a.name()).put("to", b.name())
        .put("content", "as a"), KEY), 403, "FORBIDDEN");
      refused(rest().post("/api/admin/messages", new JsonObject().put("from", b.name()).put("to", a.name())
        .put("content", "as b"), KEY), 403, "FORBIDDEN");
      assertEquals(1, count("SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        + "WHERE c.external_id = $1", chatId), "only the message from before the block is stored");

      // a shared group is unaffected, both ways
      wb.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", groupId).put("content", "in the group"));
      wb.until(f -> "SUCCESS".equals(f.getString("type")));
      assertEquals("in the group", wa.until(f -> "GROUP_CHAT".equals(f.getString("type"))).getString("content"));
      wa.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", groupId).put("content", "reply"));
      assertEquals("reply", wb.until(f -> "GROUP_CHAT".equals(f.getString("type"))).getString("content"));

      // someone who blocked you before any chat: the chat may be opened, nothing can be sent in it
      assertEquals(204, block(c, a.name()));
      Rest.Response opened = rest().post("/api/chats", new JsonObject().put("with", c.name()), a.token());
      assertEquals(200, opened.status(), opened.body());
      wa.send(direct(c.name(), "hello?"));
      assertEquals("FORBIDDEN", wa.until(f -> "ERROR".equals(f.getString("type"))).getString("code"));
      assertEquals(0, count("SELECT count(*) FROM messages WHERE sender = $1 AND conversation_id = "
        + "(SELECT id FROM conversations WHERE external_id = $2)", a.name(), opened.json().getString("chatId")));

      // unblocking restores the chat
      assertEquals(204, unblock(a, b.name()));
      wb.send(direct(a.name(), "after"));
      wb.until(f -> "SUCCESS".equals(f.getString("type")));
      assertEquals("after", wa.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type"))).getString("content"));
      assertEquals(2, count("SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        + "WHERE c.external_id = $1", chatId));
    }
  }

  @Test
  void typingAndReceiptsStopInTheChatNotInGroupsAndComeBackAfterUnblocking() {
    TestServer.User a = SERVER.newUser("bt");
    TestServer.User b = SERVER.newUser("bt");
    String groupId = "btg_" + a.name();
    try (WsClient wa = Extensions.chat(TestServer.clients(), SERVER.chatPort, a, "read", "typing");
         WsClient wb = Extensions.chat(TestServer.clients(), SERVER.chatPort, b, "read", "typing")) {
      wa.send(direct(b.name(), "hi"));
      String chatId = wa.until(f -> "SUCCESS".equals(f.getString("type"))).getString("chatId");
      String hi = wb.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type"))).getString("messageId");
      join(wa, groupId);
      join(wb, groupId);

      assertEquals(204, block(a, b.name()));
      // typing: the blocked one's and the blocker's typing in the chat reach nobody; in the group they do
      // (the group's TYPING is the fence: it travels the same way after the chat's would have)
      wb.send(typing("chatId", chatId, true));
      wb.send(typing("groupId", groupId, true));
      List<JsonObject> skipped = new ArrayList<>();
      wa.until(f -> "TYPING".equals(f.getString("type")) && groupId.equals(f.getString("groupId")), skipped);
      skipped.forEach(f -> assertFalse("TYPING".equals(f.getString("type")), f.encode()));
      wa.send(typing("chatId", chatId, true));
      wa.send(typing("groupId", groupId, true));
      skipped.clear();
      wb.until(f -> "TYPING".equals(f.getString("type")) && groupId.equals(f.getString("groupId")), skipped);
      skipped.forEach(f -> assertFalse("TYPING".equals(f.getString("type")), f.encode()));

      // receipts: b reads a's message; a hears nothing of it, not even in the inbox; a group receipt still goes
      wb.send(markChat(chatId, hi));
      assertEquals(hi, wb.until(f -> "SUCCESS".equals(f.getString("type"))).getString("messageId"));
      skipped.clear(); // from here on, every frame a gets before the group's receipt is checked
      wa.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", groupId).put("content", "g"));
      String g = wa.until(f -> "SUCCESS".equals(f.getString("type")), skipped).getString("messageId");
      wb.until(f -> "GROUP_CHAT".equals(f.getString("type")));
      wb.send(markGroup(groupId, g));
      JsonObject groupReceipt = wa.until(f -> "READ".equals(f.getString("type")) && groupId.equals(f.getString("groupId")), skipped);
      assertEquals(b.name(), groupReceipt.getString("username"));
      skipped.forEach(f -> assertFalse("READ".equals(f.getString("type")), f.encode()));
      assertNull(entry(wa, chatId).getValue("partnerReadMessageId"), "the inbox shows no receipt either");

      // unblocked: typing and receipts in the chat again
      assertEquals(204, unblock(a, b.name()));
      wb.send(typing("chatId", chatId, true));
      JsonObject t = wa.until(f -> "TYPING".equals(f.getString("type")) && chatId.equals(f.getString("chatId")));
      assertEquals(b.name(), t.getString("username"));
      wa.send(direct(b.name(), "again"));
      wa.until(f -> "SUCCESS".equals(f.getString("type")));
      String again = wb.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type"))).getString("messageId");
      wb.send(markChat(chatId, again));
      JsonObject receipt = wa.until(f -> "READ".equals(f.getString("type")) && chatId.equals(f.getString("chatId")));
      assertEquals(again, receipt.getString("messageId"));
      assertEquals(again, entry(wa, chatId).getString("partnerReadMessageId"));
    }
  }

  @Test
  void presenceHidesBothSidesAtOnceAndUnblockingShowsThemAgain() {
    TestServer.User a = SERVER.newUser("bp");
    TestServer.User b = SERVER.newUser("bp");
    assertEquals(200, rest().post("/api/chats", new JsonObject().put("with", b.name()), a.token()).status());
    try (WsClient ca = SERVER.chat(a); WsClient cb = SERVER.chat(b);
         WsClient pa = SERVER.presence(a); WsClient pb = SERVER.presence(b)) {
      assertOnline(pb, a.name(), "online");
      assertOnline(pa, b.name(), "online");

      assertEquals(204, block(a, b.name()));
      assertOnline(pb, a.name(), "offline");
      assertOnline(pa, b.name(), "offline");
      JsonObject found = rest().get("/api/users?q=" + a.name(), b.token()).array().getJsonObject(0);
      assertEquals("offline", found.getString("status"), "the search shows the blocker offline too");

      assertEquals(204, unblock(a, b.name()));
      assertOnline(pb, a.name(), "online");
      assertOnline(pa, b.name(), "online");
      found = rest().get("/api/users?q=" + a.name(), b.token()).array().getJsonObject(0);
      assertEquals("online", found.getString("status"));
    }
  }

  private static void assertOnline(WsClient presence, String who, String status) {
    presence.until(f -> "PRESENCE_UPDATE".equals(f.getString("type")) && who.equals(f.getString("username"))
      && status.equals(f.getString("status")));
  }

  @Test
  void blocksOutliveARestartAndAFreshServerReadsThemFromTheDatabase() {
    TestServer.User a = SERVER.newUser("br");
    TestServer.User b = SERVER.newUser("br");
    TestServer.User c = SERVER.newUser("br");
    assertEquals(200, rest().post("/api/chats", new JsonObject().put("with", b.name()), a.token()).status());
    assertEquals(200, rest().post("/api/chats", new JsonObject().put("with", c.name()), b.token()).status());
    assertEquals(204, block(a, b.name()));
    JsonArray before = blocks(a);

    // a new deployment on a Vert.x of its own: nothing in memory, the same database
    TestServer restarted = new TestServer(io.vertx.core.Vertx.vertx(), new JsonObject()).start();
    try (WsClient wa = Extensions.chat(TestServer.clients(), restarted.chatPort, a, "typing");
         WsClient wb = Extensions.chat(TestServer.clients(), restarted.chatPort, b, "typing")) {
      Rest.Response list = restarted.rest.get("/api/blocks", a.token());
      assertEquals(before, list.array());
      wb.send(direct(a.name(), "after the restart"));
      assertEquals("FORBIDDEN", wb.until(f -> "ERROR".equals(f.getString("type"))).getString("code"));
      // b's presence snapshot: c (online) is in it, a (online, blocking b) is not; c going offline is the fence
      List<JsonObject> skipped = new ArrayList<>();
      try (WsClient pb = restarted.presence(b)) {
        try (WsClient wc = restarted.chat(c)) {
          pb.until(f -> c.name().equals(f.getString("username")) && "online".equals(f.getString("status")), skipped);
        }
        pb.until(f -> c.name().equals(f.getString("username")) && "offline".equals(f.getString("status")), skipped);
      }
      skipped.forEach(f -> assertFalse(a.name().equals(f.getString("username")), f.encode()));
    } finally {
      restarted.stop();
      await(restarted.vertx.close());
    }
  }

  @Test
  void theExportHoldsReadPositionsAndBlocksAndErasureRemovesBlocksBothWays() {
    TestServer.User a = SERVER.newUser("be");
    TestServer.User b = SERVER.newUser("be");
    TestServer.User c = SERVER.newUser("be");
    String groupId = rest().post("/api/groups", new JsonObject().put("name", "export blocks"), a.token()).json()
      .getString("groupId");
    String chatId;
    String mine;
    try (WsClient wa = SERVER.chat(a); WsClient wb = SERVER.chat(b)) {
      wa.send(direct(b.name(), "mine"));
      JsonObject sent = wa.until(f -> "SUCCESS".equals(f.getString("type")));
      chatId = sent.getString("chatId");
      mine = sent.getString("messageId");
      wb.send(direct(a.name(), "unread one"));
      wb.until(f -> "SUCCESS".equals(f.getString("type")));
    }
    assertEquals(204, block(a, b.name()));
    assertEquals(204, block(c, a.name()));

    Rest.Response r = rest().get("/api/me/export", a.token());
    assertEquals(200, r.status(), r.body());
    JsonObject export = r.json();
    assertEquals(blocks(a), export.getJsonArray("blocks"), "whom the user blocks, with since");
    JsonArray positions = export.getJsonArray("readPositions");
    assertEquals(2, positions.size(), positions.encode());
    JsonObject chat = positions.stream().map(JsonObject.class::cast).filter(p -> chatId.equals(p.getString("chatId")))
      .findFirst().orElseThrow();
    assertEquals(mine, chat.getString("messageId"));
    assertEquals(1, chat.getLong("unread"));
    JsonObject group = positions.stream().map(JsonObject.class::cast).filter(p -> groupId.equals(p.getString("groupId")))
      .findFirst().orElseThrow();
    assertTrue(group.containsKey("messageId") && group.getValue("messageId") == null, group.encode());
    assertEquals(0, group.getLong("unread"));
    assertEquals(export, rest().get("/api/admin/users/" + a.name() + "/export", KEY).json());

    assertEquals(204, rest().delete("/api/admin/users/" + a.name(), null, KEY).status());
    assertEquals(0, count("SELECT count(*) FROM blocks WHERE blocker = $1 OR blocked = $1", a.name()));
    assertEquals(new JsonArray(), blocks(c));
  }
}
