package io.chatpresence.launcher;

import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.chatpresence.launcher.Edits.delete;
import static io.chatpresence.launcher.Edits.edit;
import static io.chatpresence.launcher.Edits.history;
import static io.chatpresence.launcher.Edits.ids;
import static io.chatpresence.launcher.Edits.message;
import static io.chatpresence.launcher.Edits.ofType;
import static io.chatpresence.launcher.Edits.sendDirect;
import static io.chatpresence.launcher.Edits.sendGroup;
import static io.chatpresence.launcher.Edits.success;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edit extension on one server: EDIT_MESSAGE and DELETE_MESSAGE, who hears of them, history with and without
 * {@code edit}, unread and lastMessage after a deletion, what the database keeps (SQL), erasure as a deletion.
 */
class EditDeleteTest {
  private static final String KEY = "edit-delete-admin-key-0123456789";

  @RegisterExtension
  static final TestServer server = TestServer.perClass(new JsonObject().put("ADMIN_API_KEYS", KEY));

  private static WsClient socket(TestServer.User u, String... features) {
    return Extensions.chat(TestServer.clients(), server.chatPort, u, features);
  }

  @Test
  void anEditReachesTheConversationsEditSocketsAndLeavesNoCopyOfTheOldText() {
    TestServer.User alice = server.newUser("ea");
    TestServer.User bob = server.newUser("eb");
    String old = "old text " + UUID.randomUUID();
    String now = "new text " + UUID.randomUUID();
    try (WsClient alice1 = socket(alice, "edit"); WsClient alice2 = socket(alice, "edit");
         WsClient alicePlain = server.chat(alice); WsClient bobEdit = socket(bob, "read", "edit");
         WsClient bobPlain = server.chat(bob)) {
      JsonObject sent = sendDirect(alice1, bob.name(), old);
      String id = sent.getString("messageId");
      String chatId = sent.getString("chatId");
      alice1.send(edit(id, now).put("clientMsgId", "e-1"));
      JsonObject ok = success(alice1, "edited");
      String editedAt = ok.getString("editedAt");
      assertNotNull(editedAt);
      assertEquals(new JsonObject().put("type", "SUCCESS").put("msg", "edited").put("messageId", id)
        .put("chatId", chatId).put("editedAt", editedAt).put("clientMsgId", "e-1"), ok);

      JsonObject expected = new JsonObject().put("type", "MESSAGE_EDITED").put("messageId", id).put("chatId", chatId)
        .put("from", alice.name()).put("content", now).put("timestamp", sent.getString("timestamp"))
        .put("editedAt", editedAt);
      assertEquals(expected, ofType(bobEdit, "MESSAGE_EDITED"));
      assertEquals(expected, ofType(alice2, "MESSAGE_EDITED"), "the author's other sockets hear of it too");

      // history: current text everywhere, editedAt only for sockets with edit
      JsonObject withEdit = history(bobEdit, "chatId", chatId, null, null, null).getJsonArray("messages").getJsonObject(0);
      assertEquals(now, withEdit.getString("content"));
      assertEquals(editedAt, withEdit.getString("editedAt"));
      JsonObject plain = history(bobPlain, "chatId", chatId, null, null, null).getJsonArray("messages").getJsonObject(0);
      assertEquals(now, plain.getString("content"));
      assertFalse(plain.containsKey("editedAt"), plain.encode());

      // the acting socket got no MESSAGE_EDITED; the plain sockets nothing beyond the client document
      List<JsonObject> frames = new ArrayList<>();
      alice1.send(new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("chatId", chatId));
      alice1.until(f -> "ONE_TO_ONE_CHAT_HISTORY".equals(f.getString("type")), frames);
      frames.forEach(f -> assertFalse("MESSAGE_EDITED".equals(f.getString("type")), f.encode()));
      Extensions.onlyClientDocumentFrames(alicePlain, "ONE_TO_ONE_CHAT_HISTORY",
        new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("chatId", chatId));
      Extensions.onlyClientDocumentFrames(bobPlain, "ONE_TO_ONE_CHAT_HISTORY",
        new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("chatId", chatId));

      Row row = message(server.vertx, id);
      assertEquals(now, row.getString("content"));
      assertNotNull(row.getOffsetDateTime("edited_at"));
      assertTrue(row.getLong("changed_pos") > Edits.rowId(id), "an edit draws a position after the message's");
      assertTrue(row.getLong("events_pos") >= row.getLong("changed_pos"));
      assertEquals(0, Edits.rowsHolding(server.vertx, old), "no copy of the old text in any table");
      assertEquals(1, Edits.rowsHolding(server.vertx, now), "the search finds the text that is there");
    }
  }

  @Test
  void aDeletionIsATombstoneThatLowersUnreadAndIsSafeToRepeat() {
    TestServer.User alice = server.newUser("da");
    TestServer.User bob = server.newUser("db");
    String secret = "delete me " + UUID.randomUUID();
    try (WsClient aliceEdit = socket(alice, "read", "edit"); WsClient alicePlain = server.chat(alice);
         WsClient bob1 = socket(bob, "edit"); WsClient bob2 = socket(bob, "edit")) {
      List<JsonObject> sent = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        sent.add(sendDirect(bob1, alice.name(), i == 5 ? secret : "m" + i));
      }
      String chatId = sent.get(0).getString("chatId");
      List<String> ids = sent.stream().map(s -> s.getString("messageId")).toList();
      assertEquals(5, Extensions.entry(aliceEdit, chatId).getLong("unread"));

      bob1.send(delete(ids.get(4)).put("clientMsgId", "d-1"));
      assertEquals(new JsonObject().put("type", "SUCCESS").put("msg", "deleted").put("messageId", ids.get(4))
        .put("chatId", chatId).put("clientMsgId", "d-1"), success(bob1, "deleted"));
      JsonObject told = ofType(aliceEdit, "MESSAGE_DELETED");
      assertEquals(Set.of("type", "messageId", "chatId", "deletedAt"), told.fieldNames());
      assertEquals(ids.get(4), told.getString("messageId"));
      assertEquals(chatId, told.getString("chatId"));
      assertEquals(told, ofType(bob2, "MESSAGE_DELETED"));

      // unread drops for the partner; lastMessage (inbox and chats list) skips the deleted one
      JsonObject entry = Extensions.entry(aliceEdit, chatId);
      assertEquals(4, entry.getLong("unread"), entry.encode());
      assertEquals(ids.get(3), entry.getJsonObject("lastMessage").getString("messageId"));
      JsonArray chats = server.rest.get("/api/chats", alice.token()).array();
      JsonObject chat = chats.stream().map(JsonObject.class::cast).filter(c -> chatId.equals(c.getString("chatId")))
        .findFirst().orElseThrow();
      assertEquals(ids.get(3), chat.getJsonObject("lastMessage").getString("messageId"));

      // the text is erased, the row kept with its seq; the trigger noted it for unread counts
      Row row = message(server.vertx, ids.get(4));
      assertEquals("", row.getString("content"));
      assertNotNull(row.getOffsetDateTime("deleted_at"));
      assertNull(row.getOffsetDateTime("edited_at"));
      long pos = row.getLong("changed_pos");
      assertTrue(row.getLong("events_pos") >= pos);
      assertEquals(row.getLong("seq"), row.getLong("last_deleted_seq"));
      assertEquals(0, Edits.rowsHolding(server.vertx, secret));

      // a repeat: SUCCESS again, nothing changes, nobody is told again
      bob1.send(delete(ids.get(4)).put("clientMsgId", "d-2"));
      assertEquals("d-2", success(bob1, "deleted").getString("clientMsgId"));
      assertEquals(pos, message(server.vertx, ids.get(4)).getLong("changed_pos"));
      // an edit of a deleted message: NOT_FOUND
      bob1.send(edit(ids.get(4), "back").put("clientMsgId", "e-d"));
      JsonObject gone = Edits.error(bob1);
      assertEquals("NOT_FOUND", gone.getString("code"));
      assertEquals("e-d", gone.getString("clientMsgId"));
      List<JsonObject> before = new ArrayList<>();
      aliceEdit.send(new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("chatId", chatId));
      aliceEdit.until(f -> "ONE_TO_ONE_CHAT_HISTORY".equals(f.getString("type")), before);
      before.forEach(f -> assertFalse("MESSAGE_DELETED".equals(f.getString("type")), "told twice: " + f.encode()));

      // the socket without edit heard nothing of it and its history leaves it out
      Extensions.onlyClientDocumentFrames(alicePlain, "ONE_TO_ONE_CHAT_HISTORY",
        new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("chatId", chatId));
      assertEquals(ids.subList(0, 4), ids(history(alicePlain, "chatId", chatId, null, null, null)));
    }
  }

  @Test
  void twoDeletionsAtOnceBothSucceedAndThePartnerIsToldOnce() {
    TestServer.User alice = server.newUser("ca");
    TestServer.User bob = server.newUser("cb");
    try (WsClient a1 = socket(alice, "edit"); WsClient a2 = socket(alice, "edit"); WsClient b = socket(bob, "edit")) {
      for (int round = 0; round < 5; round++) {
        String id = sendDirect(a1, bob.name(), "race " + round).getString("messageId");
        a1.send(delete(id));
        a2.send(delete(id));
        success(a1, "deleted");
        success(a2, "deleted");
        // a marker sent after both answers arrives after anything either deletion told
        String marker = sendDirect(a1, bob.name(), "marker " + round).getString("messageId");
        List<JsonObject> seen = new ArrayList<>();
        b.until(f -> marker.equals(f.getString("messageId")) && "ONE_TO_ONE_CHAT".equals(f.getString("type")), seen);
        assertEquals(1, seen.stream().filter(f -> "MESSAGE_DELETED".equals(f.getString("type"))
          && id.equals(f.getString("messageId"))).count(), seen.toString());
      }
    }
  }

  @Test
  void historyPagesStayExactAroundDeletedMessagesWithAndWithoutEdit() {
    TestServer.User alice = server.newUser("ha");
    TestServer.User bob = server.newUser("hb");
    try (WsClient a = socket(alice, "edit"); WsClient plain = server.chat(alice)) {
      List<String> ids = new ArrayList<>();
      String chatId = null;
      for (int i = 1; i <= 6; i++) {
        JsonObject s = sendDirect(a, bob.name(), "m" + i);
        ids.add(s.getString("messageId"));
        chatId = s.getString("chatId");
      }
      a.send(edit(ids.get(0), "m1 edited"));
      success(a, "edited");
      for (int i : new int[] {1, 3, 5}) { // m2, m4, m6
        a.send(delete(ids.get(i)));
        success(a, "deleted");
      }
      // without edit: m1 m3 m5 only, paged 2 by 2 with exact hasMore in both directions
      JsonObject newest = history(plain, "chatId", chatId, 2, null, null);
      assertEquals(List.of(ids.get(2), ids.get(4)), ids(newest));
      assertTrue(newest.getBoolean("hasMore"));
      JsonObject older = history(plain, "chatId", chatId, 2, "before", ids.get(2));
      assertEquals(List.of(ids.get(0)), ids(older));
      assertFalse(older.getBoolean("hasMore"));
      JsonObject after = history(plain, "chatId", chatId, 2, "after", ids.get(0));
      assertEquals(List.of(ids.get(2), ids.get(4)), ids(after));
      assertFalse(after.getBoolean("hasMore"), "only deleted messages follow");
      // a deleted message still works as a cursor
      assertEquals(List.of(ids.get(2)), ids(history(plain, "chatId", chatId, 1, "after", ids.get(1))));
      JsonObject m1 = history(plain, "chatId", chatId, 1, "before", ids.get(1)).getJsonArray("messages").getJsonObject(0);
      assertEquals("m1 edited", m1.getString("content"));
      assertFalse(m1.containsKey("editedAt"));

      // with edit: every place, deleted ones as tombstones
      JsonObject all = history(a, "chatId", chatId, 3, null, null);
      assertEquals(ids.subList(3, 6), ids(all));
      assertTrue(all.getBoolean("hasMore"));
      JsonObject tomb = all.getJsonArray("messages").getJsonObject(0);
      assertEquals(Set.of("type", "messageId", "chatId", "from", "timestamp", "deleted", "deletedAt"), tomb.fieldNames());
      assertEquals("ONE_TO_ONE_CHAT", tomb.getString("type"));
      assertTrue(tomb.getBoolean("deleted"));
      assertEquals(alice.name(), tomb.getString("from"));
      JsonObject first = history(a, "chatId", chatId, 3, "before", ids.get(3));
      assertEquals(ids.subList(0, 3), ids(first));
      assertFalse(first.getBoolean("hasMore"));
      JsonObject edited = first.getJsonArray("messages").getJsonObject(0);
      assertEquals("m1 edited", edited.getString("content"));
      assertNotNull(edited.getString("editedAt"));
    }
  }

  @Test
  void inAGroupTheOwnerMayDeleteAnyMessageAndOnlyTheAuthorEdits() {
    TestServer.User owner = server.newUser("go");
    TestServer.User member = server.newUser("gm");
    TestServer.User other = server.newUser("gx");
    TestServer.User outsider = server.newUser("gz");
    String group = "edit_group_" + owner.name();
    try (WsClient o = socket(owner, "edit"); WsClient m = socket(member, "edit"); WsClient x = socket(other, "edit");
         WsClient xPlain = server.chat(other); WsClient out = socket(outsider, "edit")) {
      Edits.join(o, group); // creates it: owner
      Edits.join(m, group);
      Edits.join(x, group);
      Edits.join(xPlain, group);
      String byMember = sendGroup(m, group, "member's").getString("messageId");
      String byOwner = sendGroup(o, group, "owner's").getString("messageId");

      m.send(edit(byMember, "member's, edited"));
      assertEquals(group, success(m, "edited").getString("groupId"));
      JsonObject edited = ofType(x, "MESSAGE_EDITED");
      assertEquals(group, edited.getString("groupId"));
      assertEquals("member's, edited", edited.getString("content"));
      assertEquals(member.name(), edited.getString("from"));
      assertEquals(edited, ofType(o, "MESSAGE_EDITED"));

      o.send(edit(byMember, "owner may not edit").put("clientMsgId", "oe"));
      JsonObject refused = Edits.error(o);
      assertEquals("FORBIDDEN", refused.getString("code"));
      assertEquals("oe", refused.getString("clientMsgId"));
      x.send(delete(byOwner).put("clientMsgId", "xd"));
      assertEquals("FORBIDDEN", Edits.error(x).getString("code"));
      out.send(delete(byMember).put("clientMsgId", "od"));
      assertEquals("NOT_FOUND", Edits.error(out).getString("code"), "not a member: the message is not theirs to see");

      o.send(delete(byMember).put("clientMsgId", "owner-delete"));
      JsonObject ok = success(o, "deleted");
      assertEquals(group, ok.getString("groupId"));
      assertEquals(byMember, ofType(m, "MESSAGE_DELETED").getString("messageId"));
      assertEquals(byMember, ofType(x, "MESSAGE_DELETED").getString("messageId"));
      assertEquals("", message(server.vertx, byMember).getString("content"));
      assertEquals("owner's", message(server.vertx, byOwner).getString("content"));

      JsonObject page = history(x, "groupId", group, null, null, null);
      JsonObject tomb = page.getJsonArray("messages").getJsonObject(0);
      assertEquals("GROUP_CHAT", tomb.getString("type"));
      assertEquals(group, tomb.getString("groupId"));
      assertTrue(tomb.getBoolean("deleted"));
      Extensions.onlyClientDocumentFrames(xPlain, "GROUP_CHAT_HISTORY",
        new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", group));
      assertEquals(List.of(byOwner), ids(history(xPlain, "groupId", group, null, null, null)));
    }
  }

  @Test
  void badInputGetsTheContractsErrorsEchoesClientMsgIdAndChangesNothing() {
    TestServer.User alice = server.newUser("ba");
    TestServer.User bob = server.newUser("bb");
    TestServer.User carol = server.newUser("bc");
    try (WsClient a = socket(alice, "edit"); WsClient b = socket(bob, "edit"); WsClient c = socket(carol, "edit");
         WsClient plain = server.chat(alice)) {
      String mine = sendDirect(a, bob.name(), "mine").getString("messageId");
      String carols = sendDirect(c, bob.name(), "carol to bob").getString("messageId");
      Row before = message(server.vertx, mine);

      expect(a, edit("msg_999999999999", "x"), "NOT_FOUND");
      expect(a, delete("msg_999999999999"), "NOT_FOUND");
      expect(a, edit(carols, "x"), "NOT_FOUND"); // a chat alice is not in
      expect(a, delete(carols), "NOT_FOUND");
      expect(b, edit(mine, "not bob's"), "FORBIDDEN");
      expect(b, delete(mine), "FORBIDDEN");
      expect(a, edit(mine, ""), "INVALID");
      expect(a, edit(mine, "   "), "INVALID");
      expect(a, edit(mine, "x".repeat(4001)), "INVALID");
      expect(a, edit(mine, "nul\u0000"), "INVALID");
      expect(a, edit(mine, "x").put("content", 42), "INVALID");
      expect(a, new JsonObject().put("type", "EDIT_MESSAGE").put("messageId", mine), "INVALID");
      expect(a, edit(mine, "x").put("messageId", 7), "INVALID");
      expect(a, edit("seven", "x"), "INVALID");
      expect(a, new JsonObject().put("type", "DELETE_MESSAGE"), "INVALID");
      expect(a, delete(mine).put("messageId", List.of(mine)), "INVALID");
      expect(plain, edit(mine, "no feature"), "UNKNOWN_TYPE");
      expect(plain, delete(mine), "UNKNOWN_TYPE");

      Row after = message(server.vertx, mine);
      assertEquals("mine", after.getString("content"));
      assertNull(after.getValue("changed_pos"));
      assertNull(after.getValue("deleted_at"));
      assertEquals(before.getLong("events_pos"), after.getLong("events_pos"));
      assertEquals("carol to bob", message(server.vertx, carols).getString("content"));

      // the longest content that is allowed goes through
      String longest = "y".repeat(4000);
      a.send(edit(mine, longest));
      success(a, "edited");
      assertEquals(longest, message(server.vertx, mine).getString("content"));
    }
  }

  private static void expect(WsClient c, JsonObject frame, String code) {
    String clientMsgId = "bad-" + UUID.randomUUID();
    c.send(frame.put("clientMsgId", clientMsgId));
    JsonObject error = Edits.error(c);
    assertEquals(code, error.getString("code"), frame.encode() + " -> " + error.encode());
    assertEquals(clientMsgId, error.getString("clientMsgId"));
  }

  @Test
  void erasureDeletesLikeADeletionDrawingPositionsPerMessage() {
    TestServer.User gone = server.newUser("ge");
    TestServer.User bob = server.newUser("gb");
    String group = "erase_group_" + gone.name();
    String secret = "erase me " + UUID.randomUUID();
    List<String> ids = new ArrayList<>();
    try (WsClient g = socket(gone, "edit"); WsClient b = socket(bob, "edit")) {
      Edits.join(b, group);
      Edits.join(g, group);
      ids.add(sendDirect(g, bob.name(), secret + " 1").getString("messageId"));
      ids.add(sendDirect(g, bob.name(), secret + " 2").getString("messageId"));
      ids.add(sendGroup(g, group, secret + " 3").getString("messageId"));
    }
    assertEquals(204, server.rest.delete("/api/admin/users/" + gone.name(), null, KEY).status());
    List<Long> positions = new ArrayList<>();
    for (String id : ids) {
      Row row = message(server.vertx, id);
      assertEquals("", row.getString("content"));
      assertNotNull(row.getOffsetDateTime("deleted_at"));
      positions.add(row.getLong("changed_pos"));
      assertTrue(row.getLong("events_pos") >= row.getLong("changed_pos"));
    }
    assertEquals(3, positions.stream().distinct().count(), "one position per message");
    assertEquals(0, Edits.rowsHolding(server.vertx, secret));
    try (WsClient b = socket(bob, "edit")) {
      JsonObject page = history(b, "groupId", group, null, null, null);
      assertTrue(page.getJsonArray("messages").getJsonObject(0).getBoolean("deleted"), page.encode());
    }
  }
}
