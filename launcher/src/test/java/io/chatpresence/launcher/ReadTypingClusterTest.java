package io.chatpresence.launcher;

import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static io.chatpresence.launcher.Extensions.direct;
import static io.chatpresence.launcher.Extensions.markChat;
import static io.chatpresence.launcher.Extensions.markGroup;
import static io.chatpresence.launcher.Extensions.typing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Read state and typing across clustered nodes (real Hazelcast on loopback, one JVM): A runs chat and presence,
 * B runs chat; a third node D with chat joins and dies abruptly in the last test.
 */
class ReadTypingClusterTest {
  @RegisterExtension
  static final TwoNodes nodes = TwoNodes.chat("read-test").presenceOnA();
  private static ClusterNode a;
  private static ClusterNode b;

  @BeforeAll
  static void bothNodes() {
    a = nodes.a();
    b = nodes.b();
  }

  @Test
  void aReaderOnOneNodeIsHeardByItsOtherSocketsAndThePartnerOnTheOther() {
    TestServer.User alice = nodes.user("ca");
    TestServer.User bob = nodes.user("cb");
    TestServer.User cy = nodes.user("cc");
    try (WsClient aliceA = nodes.on(a, alice, "read"); WsClient aliceB = nodes.on(b, alice, "read", "typing");
         WsClient bobB = nodes.on(b, bob, "read", "typing"); WsClient cyB = nodes.on(b, cy, "read")) {
      bobB.send(direct(alice.name(), "one"));
      bobB.send(direct(alice.name(), "two"));
      bobB.until(f -> "SUCCESS".equals(f.getString("type")));
      String second = bobB.until(f -> "SUCCESS".equals(f.getString("type"))).getString("messageId");
      String chatId = aliceA.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type"))).getString("chatId");
      aliceA.send(markChat(chatId, second));
      assertEquals(0, aliceA.until(f -> "SUCCESS".equals(f.getString("type"))).getLong("unread"));
      JsonObject other = aliceB.until(f -> "READ".equals(f.getString("type")));
      assertEquals(second, other.getString("messageId"));
      assertEquals(0, other.getLong("unread"));
      JsonObject receipt = bobB.until(f -> "READ".equals(f.getString("type")));
      assertEquals(alice.name(), receipt.getString("username"));
      assertFalse(receipt.containsKey("unread"));

      // typing from A reaches bob on B, not alice's own socket on B
      aliceA.close();
      try (WsClient aliceTyping = nodes.on(a, alice, "typing")) {
        aliceTyping.send(typing("chatId", chatId, true));
        JsonObject t = bobB.until(f -> "TYPING".equals(f.getString("type")));
        assertTrue(t.getBoolean("typing"));
        aliceTyping.send(typing("chatId", chatId, false));
        assertFalse(bobB.until(f -> "TYPING".equals(f.getString("type"))).getBoolean("typing"));
      }
      aliceB.send(new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("chatId", chatId));
      List<JsonObject> before = new ArrayList<>();
      aliceB.until(f -> "ONE_TO_ONE_CHAT_HISTORY".equals(f.getString("type")), before);
      before.forEach(f -> assertFalse("TYPING".equals(f.getString("type")), f.encode()));

      // a group receipt from a reader on A reaches a member on B
      String group = "cg_" + alice.name();
      try (WsClient aliceA2 = nodes.on(a, alice, "read")) {
        for (WsClient c : List.of(aliceA2, cyB)) {
          c.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", group));
          c.until(f -> "SUCCESS".equals(f.getString("type")));
        }
        cyB.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", group).put("content", "g"));
        String g = cyB.until(f -> "SUCCESS".equals(f.getString("type"))).getString("messageId");
        aliceA2.send(markGroup(group, g));
        JsonObject groupReceipt = cyB.until(f -> "READ".equals(f.getString("type")));
        assertEquals(group, groupReceipt.getString("groupId"));
        assertEquals(g, groupReceipt.getString("messageId"));
      }
    }
  }

  @Test
  void aNodeThatDiesTakesItsTypistsWithItAndTheOthersEndTheIndicatorWithinSixSeconds() {
    TestServer.User dave = nodes.user("cd");
    TestServer.User erin = nodes.user("ce");
    ClusterNode d = ClusterNode.join(nodes.cluster()).withChat();
    try (WsClient erinA = nodes.on(a, erin, "typing")) {
      WsClient daveD = nodes.on(d, dave, "typing");
      daveD.send(direct(erin.name(), "hello"));
      String chatId = daveD.until(f -> "SUCCESS".equals(f.getString("type"))).getString("chatId");
      daveD.send(typing("chatId", chatId, true));
      assertTrue(erinA.until(f -> "TYPING".equals(f.getString("type"))).getBoolean("typing"));
      long start = System.nanoTime();
      d.clusterManager.getHazelcastInstance().getLifecycleService().terminate(); // abrupt, like a crash
      JsonObject end = erinA.until(f -> "TYPING".equals(f.getString("type")));
      long ms = (System.nanoTime() - start) / 1_000_000;
      System.out.printf("typist's node terminated -> typing:false seen in %d ms%n", ms);
      assertFalse(end.getBoolean("typing"));
      assertEquals(dave.name(), end.getString("username"));
      assertTrue(ms < 6_000, ms + " ms");
    } finally {
      d.vertx.close();
    }
  }
}
