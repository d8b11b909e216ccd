package io.chatpresence.launcher;

import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static io.chatpresence.launcher.Extensions.direct;
import static io.chatpresence.launcher.Extensions.typing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocking across two clustered nodes (real Hazelcast on loopback, one JVM), each with chat and presence: a block
 * made through node A hides the blocker from the blocked user's presence socket on node B at once, stops their
 * typing relayed from B, and refuses sends on B; unblocking shows the blocker online again on B.
 */
class BlockingClusterTest {
  @RegisterExtension
  static final TwoNodes nodes = TwoNodes.chat("block-test").presenceOnA().presenceOnB();
  private static ClusterNode a;
  private static ClusterNode b;

  @BeforeAll
  static void bothNodes() {
    a = nodes.a();
    b = nodes.b();
  }

  private static void assertStatus(WsClient presence, String who, String status) {
    presence.until(f -> "PRESENCE_UPDATE".equals(f.getString("type")) && who.equals(f.getString("username"))
      && status.equals(f.getString("status")));
  }

  /**
   * The typist types in the chat, then in the group, until the group's TYPING reaches the watcher with no chat
   * TYPING before it (the typist's node has heard of the block: BlocksChanged travels the event bus, and the first
   * publish to an address in a cluster may wait for a subscription lookup). Each round ends both indicators, so
   * that the next {@code typing:true} is checked again, not absorbed. The rounds it took.
   */
  private static int typingSuppressed(WsClient typist, WsClient watcher, String chatId, String groupId) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    for (int round = 1; ; round++) {
      typist.send(typing("chatId", chatId, true));
      typist.send(typing("groupId", groupId, true));
      List<JsonObject> skipped = new ArrayList<>();
      watcher.until(f -> "TYPING".equals(f.getString("type")) && groupId.equals(f.getString("groupId"))
        && f.getBoolean("typing"), skipped);
      boolean relayed = skipped.stream().anyMatch(f -> "TYPING".equals(f.getString("type")));
      typist.send(typing("chatId", chatId, false));
      typist.send(typing("groupId", groupId, false));
      watcher.until(f -> "TYPING".equals(f.getString("type")) && groupId.equals(f.getString("groupId"))
        && !f.getBoolean("typing"));
      if (!relayed) {
        return round;
      }
      assertTrue(System.nanoTime() < deadline, "typing in the chat still relayed 10 s after the block");
    }
  }

  @Test
  void aBlockThroughOneNodeHidesPresenceTypingAndSendsOnTheOther() {
    TestServer.User alice = nodes.user("ka");
    TestServer.User bob = nodes.user("kb");
    String groupId = "kg_" + alice.name();
    try (WsClient aliceChat = Extensions.chat(a.vertx, a.chatPort, alice, "typing");
         WsClient bobChat = Extensions.chat(b.vertx, b.chatPort, bob, "typing");
         WsClient alicePresence = WsClient.authenticated(a.vertx, a.presencePort, alice.token());
         WsClient bobPresence = WsClient.authenticated(b.vertx, b.presencePort, bob.token())) {
      aliceChat.send(direct(bob.name(), "hello"));
      String chatId = aliceChat.until(f -> "SUCCESS".equals(f.getString("type"))).getString("chatId");
      bobChat.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type")));
      for (WsClient c : List.of(aliceChat, bobChat)) {
        c.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
        c.until(f -> "SUCCESS".equals(f.getString("type")));
      }
      assertStatus(bobPresence, alice.name(), "online");
      assertStatus(alicePresence, bob.name(), "online");
      // bob's typing from B reaches alice on A (and bob's blocks are now held on B)
      bobChat.send(typing("chatId", chatId, true));
      assertTrue(aliceChat.until(f -> "TYPING".equals(f.getString("type"))).getBoolean("typing"));
      bobChat.send(typing("chatId", chatId, false));
      assertFalse(aliceChat.until(f -> "TYPING".equals(f.getString("type"))).getBoolean("typing"));

      long start = System.nanoTime();
      assertEquals(204, nodes.rest().post("/api/blocks", new JsonObject().put("username", bob.name()), alice.token()).status());
      assertStatus(bobPresence, alice.name(), "offline");
      long ms = (System.nanoTime() - start) / 1_000_000;
      System.out.printf("block through node A -> offline on node B's presence socket in %d ms%n", ms);
      assertStatus(alicePresence, bob.name(), "offline");

      // B held bob's blocks from before the block: the change has to reach it over the cluster
      int rounds = typingSuppressed(bobChat, aliceChat, chatId, groupId);
      System.out.printf("typing in the chat suppressed on node B after %d round(s)%n", rounds);
      bobChat.send(direct(alice.name(), "through B").put("clientMsgId", "kb-1"));
      JsonObject error = bobChat.until(f -> "ERROR".equals(f.getString("type")));
      assertEquals("FORBIDDEN", error.getString("code"), error.encode());
      assertEquals("kb-1", error.getString("clientMsgId"));

      assertEquals(204, new Rest(b.chatPort).delete("/api/blocks/" + bob.name(), null, alice.token()).status());
      assertStatus(bobPresence, alice.name(), "online");
      assertStatus(alicePresence, bob.name(), "online");
      bobChat.send(direct(alice.name(), "after"));
      bobChat.until(f -> "SUCCESS".equals(f.getString("type")));
      assertEquals("after", aliceChat.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type"))).getString("content"));
    }
  }
}
