package io.chatpresence.launcher;

import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.protocol.bus.ResyncRequest;
import io.chatpresence.protocol.bus.SocketDelta;
import io.chatpresence.protocol.bus.SourceHeartbeat;
import io.chatpresence.protocol.bus.SourceId;
import io.chatpresence.protocol.bus.SourceSnapshot;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several clustered nodes in one JVM: A runs chat, B runs chat and presence, C runs presence. Delivery,
 * presence, revocation and repair work across them as on one server.
 */
class ClusterTest {
  private static final String CLUSTER = "chat-test-" + UUID.randomUUID();
  private static ClusterNode a;
  private static ClusterNode b;
  private static ClusterNode c;
  private static Rest rest;
  private static int users;

  @BeforeAll
  static void formCluster() {
    a = ClusterNode.join(CLUSTER).withChat();
    b = ClusterNode.join(CLUSTER).withChat().withPresence();
    c = ClusterNode.join(CLUSTER).withPresence();
    System.out.printf("cluster join times: %d ms, %d ms, %d ms%n", a.joinMillis, b.joinMillis, c.joinMillis);
    assertEquals(3, a.clusterManager.getNodes().size());
    rest = new Rest(a.chatPort);
  }

  @AfterAll
  static void leave() {
    for (ClusterNode n : new ClusterNode[] {c, b, a}) {
      if (n != null) {
        n.close();
      }
    }
  }

  private static TestServer.User user(String prefix) {
    String name = prefix + "_" + CLUSTER.substring(11, 17) + "_" + (++users);
    return new TestServer.User(name, rest.register(name, "password-" + name));
  }

  private static WsClient chat(ClusterNode node, TestServer.User u) {
    return WsClient.authenticated(node.vertx, node.chatPort, u.token());
  }

  private static WsClient presence(ClusterNode node, TestServer.User u) {
    return WsClient.authenticated(node.vertx, node.presencePort, u.token());
  }

  /**
   * A user's first socket on a node registers nothing cluster-wide: no event-bus address per user (each would be
   * a Hazelcast MultiMap write made one at a time, what a node's users waited on when they all reconnected).
   * The socket is reachable from every node as soon as it is authenticated.
   */
  @Test
  void connectingRegistersNoAddressInTheClusterAndIsReachableAtOnce() {
    var subscriptions = a.clusterManager.getHazelcastInstance().getMultiMap("__vertx.subs");
    int before = subscriptions.size();
    List<WsClient> sockets = new ArrayList<>();
    try {
      TestServer.User sender = user("rsender");
      sockets.add(chat(b, sender));
      for (int i = 0; i < 10; i++) {
        TestServer.User u = user("reach");
        WsClient socket = chat(i % 2 == 0 ? a : b, u);
        sockets.add(socket);
        // sent the moment SUCCESS arrived, from the other node or this one
        sockets.get(0).send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", u.name()).put("content", "hi " + i));
        sockets.get(0).next("SUCCESS");
        assertEquals("hi " + i, socket.next("ONE_TO_ONE_CHAT").getString("content"));
      }
      assertEquals(before, subscriptions.size(), "event-bus registrations in the cluster: " + subscriptions.keySet());
    } finally {
      sockets.forEach(WsClient::close);
    }
  }

  @Test
  void directAndGroupMessagesReachEverySocketOnEveryNodeOnceAndInOrder() {
    TestServer.User alice = user("calice");
    TestServer.User bob = user("cbob");
    try (WsClient aliceA = chat(a, alice); WsClient aliceB = chat(b, alice);
         WsClient bobA = chat(a, bob); WsClient bobB = chat(b, bob)) {
      for (int i = 0; i < 20; i++) {
        aliceA.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", bob.name()).put("content", "d" + i));
      }
      for (int i = 0; i < 20; i++) {
        aliceA.next("SUCCESS");
      }
      for (WsClient receiver : new WsClient[] {aliceB, bobA, bobB}) {
        for (int i = 0; i < 20; i++) {
          assertEquals("d" + i, receiver.next("ONE_TO_ONE_CHAT").getString("content"));
        }
      }

      String groupId = "cg_" + alice.name();
      aliceA.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
      aliceA.next("SUCCESS");
      bobB.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
      bobB.next("SUCCESS");
      assertEquals("JOINED", aliceA.next("INFO").getString("event"));
      assertEquals("JOINED", aliceB.next("INFO").getString("event"));
      bobB.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", groupId).put("content", "to all nodes"));
      String id = bobB.next("SUCCESS").getString("messageId");
      for (WsClient receiver : new WsClient[] {aliceA, aliceB, bobA}) {
        assertEquals(id, receiver.next("GROUP_CHAT").getString("messageId"));
      }
      // once per socket: the next frame on each is the answer to a history request, not a copy
      for (WsClient receiver : new WsClient[] {aliceA, aliceB, bobA, bobB}) {
        receiver.send(new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", groupId));
        assertEquals(1, receiver.next("GROUP_CHAT_HISTORY").getJsonArray("messages").size());
      }
    }
  }

  private static JsonObject groupChat(String groupId, String content) {
    return new JsonObject().put("type", "GROUP_CHAT").put("groupId", groupId).put("content", content);
  }

  /** The next GROUP_CHAT on {@code c}, skipping only INFO frames (joins of others). */
  private static JsonObject nextGroupChat(WsClient c) {
    List<JsonObject> skipped = new ArrayList<>();
    JsonObject msg = c.until(f -> "GROUP_CHAT".equals(f.getString("type")), skipped);
    for (JsonObject f : skipped) {
      assertEquals("INFO", f.getString("type"), f.encode());
    }
    return msg;
  }

  @Test
  void aGroupOfFiftyOnTwoNodesGetsEveryMessageOnceAndInOrderExceptTheSendingSocket() {
    TestServer.User sender = user("fsender");
    String groupId = "fg_" + sender.name();
    List<WsClient> sockets = new ArrayList<>();
    try {
      WsClient sending = chat(a, sender);
      sockets.add(sending);
      sending.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
      sending.next("SUCCESS");
      WsClient senderOnB = chat(b, sender);
      sockets.add(senderOnB);
      List<WsClient> receivers = new ArrayList<>(List.of(senderOnB));
      for (int i = 0; i < 49; i++) {
        WsClient m = chat(i % 2 == 0 ? a : b, user("fm" + i));
        sockets.add(m);
        receivers.add(m);
        m.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
        m.until(f -> "SUCCESS".equals(f.getString("type")));
      }
      int messages = 5;
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < messages; i++) {
        sending.send(groupChat(groupId, "m" + i));
      }
      for (int i = 0; i < messages; i++) {
        ids.add(sending.until(f -> "SUCCESS".equals(f.getString("type"))).getString("messageId"));
      }
      for (WsClient r : receivers) {
        for (int i = 0; i < messages; i++) {
          JsonObject msg = nextGroupChat(r);
          assertEquals("m" + i, msg.getString("content"));
          assertEquals(ids.get(i), msg.getString("messageId"));
        }
      }
      // once per socket, and none to the sending socket: the next frame on each answers a later request
      for (WsClient s : sockets) {
        s.send(new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", groupId));
        JsonObject next = s.until(f -> !"INFO".equals(f.getString("type")));
        assertEquals("GROUP_CHAT_HISTORY", next.getString("type"), next.encode());
        assertEquals(messages, next.getJsonArray("messages").size());
      }
    } finally {
      sockets.forEach(WsClient::close);
    }
  }

  @Test
  void aJoinAndALeaveOnOneNodeReachTheMemberListCachedOnAnother() {
    TestServer.User owner = user("jowner");
    TestServer.User other = user("jother");
    TestServer.User late = user("jlate");
    String groupId = "jg_" + owner.name();
    try (WsClient ownerA = chat(a, owner); WsClient otherB = chat(b, other); WsClient lateB = chat(b, late)) {
      ownerA.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
      ownerA.next("SUCCESS");
      otherB.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
      otherB.next("SUCCESS");
      ownerA.next("INFO");
      ownerA.send(groupChat(groupId, "cached now"));
      ownerA.next("SUCCESS");
      assertEquals("cached now", otherB.next("GROUP_CHAT").getString("content"));

      // joins on B: A's cached list does not have it, A learns from the version on its next send
      lateB.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
      lateB.next("SUCCESS");
      assertEquals("JOINED", ownerA.next("INFO").getString("event"));
      assertEquals("JOINED", otherB.next("INFO").getString("event"));
      ownerA.send(groupChat(groupId, "hello late"));
      ownerA.next("SUCCESS");
      assertEquals("hello late", lateB.next("GROUP_CHAT").getString("content"));
      assertEquals("hello late", otherB.next("GROUP_CHAT").getString("content"));

      lateB.send(new JsonObject().put("type", "LEAVE_GROUP").put("groupId", groupId));
      lateB.next("SUCCESS");
      assertEquals("LEFT", ownerA.next("INFO").getString("event"));
      assertEquals("LEFT", otherB.next("INFO").getString("event"));
      ownerA.send(groupChat(groupId, "after leaving"));
      ownerA.next("SUCCESS");
      // otherB and lateB are on the same node and instance: one fan-out writes to both or neither
      assertEquals("after leaving", otherB.next("GROUP_CHAT").getString("content"));
      lateB.send(groupChat(groupId, "still here?"));
      assertEquals("FORBIDDEN", lateB.next("ERROR").getString("code"), "no copy for the leaver, and no sending");
    }
  }

  @Test
  void presenceIsClusterWideAndTheGraceHoldsAcrossNodes() {
    TestServer.User alice = user("palice");
    TestServer.User bob = user("pbob");
    assertEquals(200, rest.post("/api/chats", new JsonObject().put("with", bob.name()), alice.token()).status());
    WsClient aliceOnA = chat(a, alice);
    try (WsClient bobOnC = presence(c, bob); WsClient bobOnB = presence(b, bob)) {
      for (WsClient p : new WsClient[] {bobOnC, bobOnB}) {
        JsonObject snapshot = p.next("PRESENCE_UPDATE");
        assertEquals(alice.name(), snapshot.getString("username"));
        assertEquals("online", snapshot.getString("status"));
      }
      aliceOnA.close();
      try (WsClient aliceOnB = chat(b, alice)) {
        List<JsonObject> seen = new ArrayList<>();
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> {
          seen.addAll(bobOnC.pending());
          return seen.isEmpty();
        });
      }
      assertEquals("offline", bobOnC.next("PRESENCE_UPDATE").getString("status"));
      assertEquals("offline", bobOnB.next("PRESENCE_UPDATE").getString("status"));
    }
  }

  @Test
  void logoutOnOneNodeClosesTheTokensSocketsOnAllNodesWithinASecond() {
    TestServer.User carol = user("clogout");
    try (WsClient onA = chat(a, carol); WsClient onB = chat(b, carol); WsClient presenceOnC = presence(c, carol)) {
      long start = System.nanoTime();
      assertEquals(204, rest.post("/api/auth/logout", null, carol.token()).status());
      assertEquals(4401, onB.closeCode());
      assertEquals(4401, presenceOnC.closeCode());
      assertEquals(4401, onA.closeCode());
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 1000, "closed everywhere in " + ms + " ms");
    }
  }

  @Test
  void missedSocketEventsAreRepairedFromTheHeartbeat() {
    TestServer.User alice = user("ralice");
    TestServer.User ghost = user("rghost");
    assertEquals(200, rest.post("/api/chats", new JsonObject().put("with", ghost.name()), alice.token()).status());
    try (WsClient alicePresence = presence(c, alice)) {
      // an event no socket owner sent (as if its close was lost in a partition): presence believes it...
      Bus.PRESENCE_SOCKETS.publish(a.vertx.eventBus(),
        new SocketDelta(new SourceId("lost-source-" + UUID.randomUUID(), a.nodeId()), ghost.name(), 1));
      assertEquals("online", alicePresence.next("PRESENCE_UPDATE").getString("status"));
      // ...until that source's heartbeat never comes: dropped after the TTL, the user goes offline
      JsonObject repaired = alicePresence.next("PRESENCE_UPDATE");
      assertEquals(ghost.name(), repaired.getString("username"));
      assertEquals("offline", repaired.getString("status"));
    }
  }

  @Test
  void aCountThatDriftedIsReplacedByTheSourcesSnapshot() {
    TestServer.User alice = user("salice");
    TestServer.User bob = user("sbob");
    assertEquals(200, rest.post("/api/chats", new JsonObject().put("with", bob.name()), alice.token()).status());
    try (WsClient alicePresence = presence(c, alice); WsClient bobChat = chat(a, bob)) {
      assertEquals("online", alicePresence.next("PRESENCE_UPDATE").getString("status"));
      // a stray close attributed to a live source: counts drift and the event count no longer matches
      String source = "drift-" + UUID.randomUUID();
      SourceId id = new SourceId(source, a.nodeId());
      Bus.PRESENCE_SOCKETS.publish(a.vertx.eventBus(), new SocketDelta(id, bob.name(), 1));
      java.util.concurrent.CompletableFuture<ResyncRequest> asked = new java.util.concurrent.CompletableFuture<>();
      var listener = Bus.PRESENCE_RESYNC.consumer(a.vertx.eventBus(), request -> {
        if (source.equals(request.source())) {
          asked.complete(request);
        }
      });
      TestServer.await(listener.completion());
      Bus.PRESENCE_HEARTBEAT.publish(a.vertx.eventBus(), new SourceHeartbeat(id, 5));
      assertEquals(source, asked.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join().source());
      listener.unregister();
      // presence asks that source for its counts; a snapshot saying "none" settles it (bob stays online: his
      // real socket on A still counts), and nothing flaps
      Bus.PRESENCE_SNAPSHOT.publish(a.vertx.eventBus(), new SourceSnapshot(id, 5, java.util.Map.of()));
      List<JsonObject> seen = new ArrayList<>();
      await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8)).until(() -> {
        seen.addAll(alicePresence.pending());
        return seen.isEmpty();
      });
    }
  }

  @Test
  void aLatePresenceNodeLearnsEveryoneOnlineAndAMemberThatDiesTakesItsUsersOffline() {
    TestServer.User alice = user("lalice");
    TestServer.User dave = user("ldave");
    assertEquals(200, rest.post("/api/chats", new JsonObject().put("with", dave.name()), alice.token()).status());
    ClusterNode d = ClusterNode.join(CLUSTER).withChat();
    try (WsClient daveOnD = chat(d, dave)) {
      ClusterNode late = ClusterNode.join(CLUSTER).withPresence();
      try (WsClient alicePresence = presence(late, alice); WsClient aliceOnC = presence(c, alice)) {
        assertEquals(dave.name(), alicePresence.next("PRESENCE_UPDATE").getString("username"));
        assertEquals(dave.name(), aliceOnC.next("PRESENCE_UPDATE").getString("username"));
        long start = System.nanoTime();
        d.clusterManager.getHazelcastInstance().getLifecycleService().terminate(); // abrupt, like a crash
        JsonObject offline = aliceOnC.next("PRESENCE_UPDATE");
        assertEquals("offline", offline.getString("status"));
        assertEquals("offline", alicePresence.next("PRESENCE_UPDATE").getString("status"));
        System.out.printf("member terminated -> offline seen in %d ms%n", (System.nanoTime() - start) / 1_000_000);
      } finally {
        late.close();
      }
    } finally {
      d.vertx.close();
    }
  }
}
