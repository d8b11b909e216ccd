package io.chatpresence.launcher;

import io.chatpresence.launcher.cluster.HazelcastConfig;
import io.chatpresence.server.metrics.Metrics;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.chatpresence.launcher.TestServer.await;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /metrics} on both ports after real traffic (sockets, frames, messages, errors): our counters move, with
 * Vert.x's meters (HTTP, event bus, pool, SQL client) and the JVM's when the Vert.x instance has metrics, as the
 * launcher builds it, clustered or not; only ours on a plain Vert.x; each Vert.x instance of the JVM with its own
 * registry.
 */
class MetricsTest {
  private final List<Vertx> started = new ArrayList<>();
  private final List<TestServer> servers = new ArrayList<>();

  @AfterEach
  void tearDown() {
    servers.forEach(TestServer::stop);
    started.forEach(v -> await(v.close()));
  }

  private TestServer server(Vertx vertx) {
    started.add(vertx);
    TestServer server = new TestServer(vertx, new JsonObject()).start();
    servers.add(server);
    return server;
  }

  @Test
  void countersMoveWithRealTrafficOnBothPorts() {
    TestServer server = server(Metrics.vertxBuilder(new VertxOptions()).build());
    assertTrue(Metrics.of(server.vertx).hasVertxMetrics());
    TestServer.User alice = server.newUser("m_alice");
    TestServer.User bob = server.newUser("m_bob");
    String groupId = server.rest.post("/api/groups", new JsonObject().put("name", "metrics"), alice.token())
      .json().getString("groupId");
    assertEquals(401, server.rest.get("/api/me", null).status());

    try (WsClient alicePresence = server.presence(alice); WsClient aliceChat = server.chat(alice);
         WsClient bobChat = server.chat(bob)) {
      for (int i = 0; i < 3; i++) {
        aliceChat.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", bob.name()).put("content", "hi " + i));
        aliceChat.next("SUCCESS");
        bobChat.next("ONE_TO_ONE_CHAT");
      }
      bobChat.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
      bobChat.next("SUCCESS");
      aliceChat.until(f -> "INFO".equals(f.getString("type")));
      aliceChat.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", groupId).put("content", "to all"));
      aliceChat.until(f -> "SUCCESS".equals(f.getString("type")));
      bobChat.until(f -> "GROUP_CHAT".equals(f.getString("type")));
      aliceChat.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", alice.name()).put("content", "me"));
      assertEquals("INVALID", aliceChat.until(f -> "ERROR".equals(f.getString("type"))).getString("code"));
      alicePresence.until(f -> "PRESENCE_UPDATE".equals(f.getString("type")) && bob.name().equals(f.getString("username")));

      Scrape chat = Scrape.of(server.chatPort);
      assertEquals(3, chat.sum("chatpresence_frames_received_total", "server", "chat", "type", "ONE_TO_ONE_CHAT") - 1,
        "three messages and the refused one");
      assertEquals(1, chat.sum("chatpresence_frames_received_total", "server", "chat", "type", "GROUP_CHAT"));
      assertEquals(2, chat.sum("chatpresence_frames_received_total", "server", "chat", "type", "AUTH"));
      assertTrue(chat.sum("chatpresence_frames_sent_total", "server", "chat", "type", "SUCCESS") >= 5);
      assertEquals(3, chat.sum("chatpresence_frames_sent_total", "server", "chat", "type", "ONE_TO_ONE_CHAT"),
        "the three received by bob (the sender has no other socket; the refused one was answered ERROR)");
      assertEquals(3, chat.sum("chatpresence_send_to_ack_seconds_count", "kind", "one_to_one"));
      assertEquals(1, chat.sum("chatpresence_send_to_ack_seconds_count", "kind", "group"));
      assertEquals(3, chat.sum("chatpresence_send_to_ack_seconds_bucket", "kind", "one_to_one", "le", "+Inf"));
      assertEquals(1, chat.sum("chatpresence_message_fanout_users_sum", "kind", "group"));
      assertEquals(3, chat.sum("chatpresence_message_fanout_users_count", "kind", "one_to_one"));
      assertEquals(1, chat.sum("chatpresence_errors_total", "server", "chat", "channel", "ws", "code", "INVALID"));
      assertEquals(1, chat.sum("chatpresence_errors_total", "server", "chat", "channel", "rest", "code", "AUTH_FAILED"));
      assertEquals(2, chat.sum("chatpresence_sockets_open", "server", "chat"));
      assertEquals(2, chat.sum("chatpresence_sockets_authenticated", "server", "chat"));
      assertEquals(2, chat.sum("chatpresence_users_connected", "server", "chat"));
      assertEquals(2, chat.sum("chatpresence_users_online"));

      // Vert.x's own meters: event bus (every frame for chat sockets is one chat.fanout publish: no address,
      // so no series, per user), HTTP, pool, SQL, JVM
      assertTrue(chat.sum("vertx_eventbus_published_total", "address", "chat.fanout") >= 4, chat.text);
      assertFalse(chat.text.contains(bob.name()), "no series names a user");
      assertTrue(chat.sum("vertx_http_server_requests_total") >= 3, chat.text);
      assertTrue(chat.sum("vertx_pool_usage_seconds_count", "pool_name", "chat-presence-db") > 0, chat.text);
      chat.assertHas("vertx_pool_in_use");
      assertTrue(chat.sum("vertx_sql_processing_time_seconds_count") > 0, chat.text);
      chat.assertHas("vertx_sql_processing_time_seconds_bucket");
      chat.assertHas("jvm_memory_used_bytes");
      chat.assertHas("jvm_threads_live_threads");
      chat.assertHas("process_cpu_usage");

      Scrape presence = Scrape.of(server.presencePort);
      assertEquals(1, presence.sum("chatpresence_sockets_authenticated", "server", "presence"));
      assertTrue(presence.sum("chatpresence_frames_sent_total", "server", "presence", "type", "PRESENCE_UPDATE") >= 1);
      assertEquals(1, presence.sum("chatpresence_frames_received_total", "server", "presence", "type", "AUTH"));
      presence.assertHas("vertx_eventbus_handlers");
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Scrape after = Scrape.of(server.chatPort);
      assertEquals(0, after.sum("chatpresence_sockets_open"));
      assertEquals(0, after.sum("chatpresence_sockets_authenticated"));
      assertEquals(0, after.sum("chatpresence_users_connected"));
      assertEquals(3, after.sum("chatpresence_sockets_closed_total"));
    });
  }

  @Test
  void eachVertxInstanceOfTheJvmHasItsOwnRegistry() {
    TestServer first = server(Metrics.vertxBuilder(new VertxOptions()).build());
    TestServer second = server(Metrics.vertxBuilder(new VertxOptions()).build());
    TestServer.User carol = first.newUser("m_carol");
    try (WsClient ws = first.chat(carol)) {
      assertEquals(1, Scrape.of(first.chatPort).sum("chatpresence_sockets_authenticated", "server", "chat"));
      Scrape other = Scrape.of(second.chatPort);
      assertEquals(0, other.sum("chatpresence_sockets_authenticated", "server", "chat"));
      assertEquals(0, other.sum("chatpresence_frames_received_total"));
    }
  }

  @Test
  void clusteredNodesEachMeasureTheirOwnTrafficAndAreReadyOnceTheClusterIsSafe() {
    String cluster = "metrics-" + System.nanoTime();
    TestServer one = server(clusteredWithMetrics(cluster));
    TestServer two = server(clusteredWithMetrics(cluster));
    for (TestServer node : List.of(one, two)) {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        Rest.Response ready = node.rest.get("/ready", null);
        assertEquals(200, ready.status(), ready.body());
        JsonObject data = ReadinessTest.check(ready.json(), "cluster").getJsonObject("data");
        assertEquals(true, data.getBoolean("clustered"));
        assertEquals(2, data.getInteger("members"));
        assertEquals(true, data.getBoolean("safe"));
      });
      assertEquals(200, new Rest(node.presencePort).get("/ready", null).status());
      Rest.Response health = node.rest.get("/health", null);
      assertEquals(200, health.status());
      assertEquals(true, ReadinessTest.check(health.json(), "cluster-member").getJsonObject("data").getBoolean("clustered"));
    }
    TestServer.User erin = one.newUser("m_erin");
    TestServer.User frank = one.newUser("m_frank");
    try (WsClient sender = one.chat(erin); WsClient receiver = two.chat(frank)) {
      sender.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", frank.name()).put("content", "across"));
      sender.next("SUCCESS");
      receiver.next("ONE_TO_ONE_CHAT");
      Scrape first = Scrape.of(one.chatPort);
      Scrape second = Scrape.of(two.chatPort);
      assertEquals(1, first.sum("chatpresence_send_to_ack_seconds_count", "kind", "one_to_one"));
      assertEquals(0, second.sum("chatpresence_send_to_ack_seconds_count", "kind", "one_to_one"));
      assertEquals(1, second.sum("chatpresence_frames_sent_total", "server", "chat", "type", "ONE_TO_ONE_CHAT"));
      assertTrue(first.sum("vertx_eventbus_published_total", "address", "chat.fanout", "side", "remote") >= 1,
        first.text);
      assertTrue(second.sum("vertx_eventbus_received_total", "address", "chat.fanout", "side", "remote") >= 1,
        second.text);
      // presence on both nodes sees both users, wherever their sockets are
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertEquals(2, Scrape.of(one.presencePort).sum("chatpresence_users_online"));
        assertEquals(2, Scrape.of(two.presencePort).sum("chatpresence_users_online"));
      });
    }
  }

  private static Vertx clusteredWithMetrics(String cluster) {
    return await(Metrics.vertxBuilder(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")))
      .withClusterManager(new HazelcastClusterManager(HazelcastConfig.load(cluster)))
      .buildClustered());
  }

  @Test
  void onAPlainVertxMetricsServesOurOwnMeters() {
    TestServer server = server(Vertx.vertx());
    assertFalse(Metrics.of(server.vertx).hasVertxMetrics());
    TestServer.User dave = server.newUser("m_dave");
    try (WsClient ws = server.chat(dave)) {
      ws.send(new JsonObject().put("type", "NO_SUCH_TYPE"));
      assertEquals("UNKNOWN_TYPE", ws.next("ERROR").getString("code"));
      Scrape scrape = Scrape.of(server.chatPort);
      assertEquals(1, scrape.sum("chatpresence_frames_received_total", "type", "other"));
      assertEquals(1, scrape.sum("chatpresence_errors_total", "code", "UNKNOWN_TYPE"));
      assertEquals(1, scrape.sum("chatpresence_sockets_authenticated", "server", "chat"));
      assertFalse(scrape.has("vertx_http_server_requests_total"));
      assertFalse(scrape.has("jvm_memory_used_bytes"));
    }
    Rest.Response presence = new Rest(server.presencePort).get("/metrics", null);
    assertEquals(200, presence.status());
    assertTrue(presence.body().contains("chatpresence_sockets_open"), presence.body());
  }
}
