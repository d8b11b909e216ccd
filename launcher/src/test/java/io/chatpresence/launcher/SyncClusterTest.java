package io.chatpresence.launcher;

import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static io.chatpresence.launcher.Extensions.direct;
import static io.chatpresence.launcher.Syncs.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** SYNC tokens across two clustered nodes (real Hazelcast on loopback, one JVM, one database). */
class SyncClusterTest {
  @RegisterExtension
  static final TwoNodes nodes = TwoNodes.chat("sync-test");
  private static ClusterNode a;
  private static ClusterNode b;

  @BeforeAll
  static void bothNodes() {
    a = nodes.a();
    b = nodes.b();
  }

  private static List<String> messageIds(Syncs.Collected got) {
    return got.events().stream().map(f -> f.getString("messageId")).toList();
  }

  @Test
  void aTokenOrInboxSyncTokenFromOneNodeWorksOnTheOther() {
    TestServer.User alice = nodes.user("xa");
    TestServer.User bob = nodes.user("xb");
    try (WsClient aliceA = nodes.on(a, alice, "read", "sync"); WsClient aliceB = nodes.on(b, alice, "read", "sync");
         WsClient bobB = nodes.on(b, bob)) {
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
