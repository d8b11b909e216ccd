package io.chatpresence.launcher;

import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static io.chatpresence.launcher.Extensions.direct;
import static io.chatpresence.launcher.Syncs.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** SYNC tokens across two clustered nodes (real Hazelcast on loopback, one JVM, one database). */
class SyncClusterTest {
  private static final String CLUSTER = "sync-test-" + UUID.randomUUID();
  private static ClusterNode a;
  private static ClusterNode b;
  private static Rest rest;
  private static int users;

  @BeforeAll
  static void formCluster() {
    a = ClusterNode.join(CLUSTER).withChat();
    b = ClusterNode.join(CLUSTER).withChat();
    rest = new Rest(a.chatPort);
  }

  @AfterAll
  static void leave() {
    for (ClusterNode n : new ClusterNode[] {b, a}) {
      if (n != null) {
        n.close();
      }
    }
  }

  private static TestServer.User user(String prefix) {
    String name = prefix + "_" + CLUSTER.substring(10, 16) + "_" + (++users);
    return new TestServer.User(name, rest.register(name, "password-" + name));
  }

  private static WsClient on(ClusterNode node, TestServer.User u, String... features) {
    return Extensions.chat(node.vertx, node.chatPort, u, features);
  }

  private static List<String> messageIds(Syncs.Collected got) {
    return got.events().stream().map(f -> f.getString("messageId")).toList();
  }

  @Test
  void aTokenOrInboxSyncTokenFromOneNodeWorksOnTheOther() {
    TestServer.User alice = user("xa");
    TestServer.User bob = user("xb");
    try (WsClient aliceA = on(a, alice, "read", "sync"); WsClient aliceB = on(b, alice, "read", "sync");
         WsClient bobB = on(b, bob)) {
      String fromA = Syncs.now(aliceA);
      String m1 = ok(bobB, direct(alice.name(), "one")).getString("messageId");
      Syncs.Collected onB = Syncs.until(aliceB, fromA, null, e -> e.stream().anyMatch(f -> m1.equals(f.getString("messageId"))));
      assertEquals(List.of(m1), messageIds(onB));

      // B's next token on A, and A's INBOX token on B
      String m2 = ok(bobB, direct(alice.name(), "two")).getString("messageId");
      Syncs.Collected onA = Syncs.until(aliceA, onB.next(), null, e -> e.stream().anyMatch(f -> m2.equals(f.getString("messageId"))));
      assertEquals(List.of(m2), messageIds(onA));
      String inboxToken = Extensions.inbox(aliceA, null, null).getString("syncToken");
      String m3 = ok(bobB, direct(alice.name(), "three")).getString("messageId");
      Syncs.Collected fromInbox = Syncs.until(aliceB, inboxToken, null,
        e -> e.stream().anyMatch(f -> m3.equals(f.getString("messageId"))));
      assertEquals(m3, messageIds(fromInbox).get(messageIds(fromInbox).size() - 1));
      JsonObject same = Syncs.sync(aliceB, fromInbox.next(), null);
      assertEquals(0, same.getJsonArray("events").size());
    }
  }
}
