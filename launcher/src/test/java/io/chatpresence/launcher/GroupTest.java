package io.chatpresence.launcher;

import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Groups over the chat WebSocket: join (creating), messages, history, leave, members only. */
class GroupTest {
  @RegisterExtension
  static final TestServer server = TestServer.perClass(new JsonObject());

  static JsonObject join(String groupId) {
    return new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId);
  }

  static JsonObject say(String groupId, String content) {
    return new JsonObject().put("type", "GROUP_CHAT").put("groupId", groupId).put("content", content);
  }

  @Test
  void joinCreatesTellsMembersAndMessagesReachEveryMember() {
    TestServer.User owner = server.newUser("gowner");
    TestServer.User member = server.newUser("gmember");
    String groupId = "group_" + owner.name();
    try (WsClient o = server.chat(owner); WsClient m = server.chat(member); WsClient m2 = server.chat(member)) {
      o.send(join(groupId).put("username", owner.name()));
      JsonObject joined = o.next("SUCCESS");
      assertEquals(groupId, joined.getString("groupId"));

      m.send(join(groupId));
      assertEquals(groupId, m.next("SUCCESS").getString("groupId"));
      JsonObject info = o.next("INFO");
      assertEquals("JOINED", info.getString("event"));
      assertEquals(member.name(), info.getString("username"));
      assertEquals(groupId, info.getString("groupId"));

      m.send(say(groupId, "Hello everyone!").put("from", member.name()).put("clientMsgId", "g1"));
      JsonObject ack = m.next("SUCCESS");
      assertEquals(groupId, ack.getString("groupId"));
      assertEquals("g1", ack.getString("clientMsgId"));
      for (WsClient receiver : new WsClient[] {o, m2}) {
        JsonObject msg = receiver.next("GROUP_CHAT");
        assertEquals(Set.of("type", "from", "groupId", "content", "timestamp", "messageId"), msg.fieldNames());
        assertEquals(member.name(), msg.getString("from"));
        assertEquals(ack.getString("messageId"), msg.getString("messageId"));
      }

      o.send(new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", groupId));
      JsonObject history = o.next("GROUP_CHAT_HISTORY");
      assertEquals(groupId, history.getString("groupId"));
      assertEquals(1, history.getJsonArray("messages").size());
      assertEquals("GROUP_CHAT", history.getJsonArray("messages").getJsonObject(0).getString("type"));

      m.send(join(groupId));
      assertEquals("already a member", m.next("SUCCESS").getString("msg"));
    }
  }

  @Test
  void nonMembersCannotSendOrReadAndLeavingTellsTheOthers() {
    TestServer.User owner = server.newUser("lowner");
    TestServer.User leaver = server.newUser("lleaver");
    TestServer.User outsider = server.newUser("loutsider");
    String groupId = "group_" + owner.name();
    try (WsClient o = server.chat(owner); WsClient l = server.chat(leaver); WsClient x = server.chat(outsider)) {
      o.send(join(groupId));
      o.next("SUCCESS");
      l.send(join(groupId));
      l.next("SUCCESS");
      o.next("INFO");

      x.send(say(groupId, "let me in"));
      assertEquals("FORBIDDEN", x.next("ERROR").getString("code"));
      x.send(new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", groupId));
      assertEquals("FORBIDDEN", x.next("ERROR").getString("code"));
      x.send(new JsonObject().put("type", "LEAVE_GROUP").put("groupId", groupId));
      assertEquals("FORBIDDEN", x.next("ERROR").getString("code"));
      x.send(say("group_that_does_not_exist_" + owner.name(), "hello?"));
      assertEquals("NOT_FOUND", x.next("ERROR").getString("code"));
      x.send(join(groupId).put("username", owner.name()));
      assertEquals("FORBIDDEN", x.next("ERROR").getString("code"));

      l.send(new JsonObject().put("type", "LEAVE_GROUP").put("groupId", groupId).put("username", leaver.name()));
      JsonObject left = l.next("SUCCESS");
      assertEquals("left", left.getString("msg"));
      JsonObject info = o.next("INFO");
      assertEquals("LEFT", info.getString("event"));
      assertEquals(leaver.name(), info.getString("username"));

      l.send(say(groupId, "still here?"));
      assertEquals("FORBIDDEN", l.next("ERROR").getString("code"));
      o.send(new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", groupId));
      assertEquals(0, o.next("GROUP_CHAT_HISTORY").getJsonArray("messages").size(), "nothing refused was stored");
    }
  }

  @Test
  void aMemberWhoJoinsAfterTheListWasCachedGetsTheNextMessageAndOneWhoLeftDoesNot() {
    TestServer.User owner = server.newUser("cowner");
    TestServer.User late = server.newUser("clate");
    String groupId = "group_" + owner.name();
    try (WsClient o = server.chat(owner); WsClient o2 = server.chat(owner); WsClient l = server.chat(late)) {
      o.send(join(groupId));
      o.next("SUCCESS");
      o.send(say(groupId, "before").put("clientMsgId", "c1"));
      o.next("SUCCESS");
      assertEquals("before", o2.next("GROUP_CHAT").getString("content"));

      l.send(join(groupId));
      l.next("SUCCESS");
      assertEquals("JOINED", o.next("INFO").getString("event"));
      assertEquals("JOINED", o2.next("INFO").getString("event"));
      o.send(say(groupId, "welcome").put("clientMsgId", "c2"));
      o.next("SUCCESS");
      assertEquals("welcome", l.next("GROUP_CHAT").getString("content"));
      assertEquals("welcome", o2.next("GROUP_CHAT").getString("content"));

      l.send(new JsonObject().put("type", "LEAVE_GROUP").put("groupId", groupId));
      l.next("SUCCESS");
      assertEquals("LEFT", o.next("INFO").getString("event"));
      assertEquals("LEFT", o2.next("INFO").getString("event"));
      o.send(say(groupId, "after").put("clientMsgId", "c3"));
      o.next("SUCCESS");
      // o2 got it; the same fan-out would have written to the leaver's socket before anything asked later
      assertEquals("after", o2.next("GROUP_CHAT").getString("content"));
      l.send(say(groupId, "still here?"));
      assertEquals("FORBIDDEN", l.next("ERROR").getString("code"), "no copy for the leaver, and no sending");
      // the sender's own socket got only its SUCCESSes
      o.send(new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", groupId));
      assertEquals(3, o.next("GROUP_CHAT_HISTORY").getJsonArray("messages").size());
    }
  }

  @Test
  void aBurstToGroupsIsAnsweredAndDeliveredInTheOrderSent() {
    TestServer.User owner = server.newUser("gburst");
    TestServer.User member = server.newUser("gburst");
    String first = "group_a_" + owner.name();
    String second = "group_b_" + owner.name();
    String foreign = "group_x_" + member.name();
    try (WsClient o = server.chat(owner); WsClient m = server.chat(member)) {
      for (String g : new String[] {first, second}) {
        o.send(join(g));
        o.next("SUCCESS");
      }
      for (String g : new String[] {first, second}) {
        m.send(join(g));
        m.next("SUCCESS");
      }
      m.send(join(foreign));
      m.next("SUCCESS");
      int frames = 30; // within the default burst of the rate limit
      for (int i = 0; i < frames; i++) {
        String g = i == 17 ? foreign : i % 2 == 0 ? first : second;
        o.send(say(g, i == 9 ? "" : "g" + i).put("clientMsgId", "q" + i));
      }
      o.send(new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", first));
      for (int i = 0; i < frames; i++) {
        JsonObject answer = o.next();
        while ("INFO".equals(answer.getString("type"))) { // the member's joins
          answer = o.next();
        }
        assertEquals("q" + i, answer.getString("clientMsgId"), "answer " + i + ": " + answer.encode());
        assertEquals(i == 9 || i == 17 ? "ERROR" : "SUCCESS", answer.getString("type"), answer.encode());
      }
      java.util.List<String> shown = new java.util.ArrayList<>();
      o.next("GROUP_CHAT_HISTORY").getJsonArray("messages").forEach(x -> shown.add(((JsonObject) x).getString("content")));
      java.util.List<String> expected = new java.util.ArrayList<>();
      for (int i = 0; i < frames; i += 2) {
        expected.add("g" + i);
      }
      assertEquals(expected, shown, "the history after the burst has all of it, in order");
      for (int i = 0; i < frames; i++) {
        if (i != 9 && i != 17) {
          assertEquals("g" + i, m.next("GROUP_CHAT").getString("content"), "member receives in the order sent");
        }
      }
    }
  }
}
