package io.chatpresence.launcher;

import io.chatpresence.server.testing.Ports;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.TestDatabase;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two clustered processes on 127.0.0.1 sharing one PostgreSQL: A runs chat, B runs chat and presence.
 * A is killed with SIGKILL while a client sends through it.
 */
class ClusterProcessIT {
  private final Vertx vertx = Vertx.vertx();
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    Launched.stopAll(started);
    vertx.close();
  }

  @Test
  void aNodeKilledWhileClientsSendLosesNothingAcknowledgedAndItsUsersGoOffline() throws Exception {
    Path log = Files.createTempFile("cluster-it", ".log");
    int chatA = Ports.free();
    int chatB = Ports.free();
    int presenceB = Ports.free();
    Map<String, String> env = new HashMap<>(Map.of(
      "PG_URL", TestDatabase.url(), "JWT_SECRET", "cluster-it-secret-0123456789abcdef",
      "CLUSTER_NAME", "cluster-it-" + UUID.randomUUID(), "PASSWORD_ITERATIONS", "1000",
      "RATE_PER_SECOND", "2000", "RATE_BURST", "2000",
      "DATA_DIR", Files.createTempDirectory("cluster-it").toString()));
    Map<String, String> envA = new HashMap<>(env);
    envA.put("CHAT_PORT", "" + chatA);
    Map<String, String> envB = new HashMap<>(env);
    envB.put("CHAT_PORT", "" + chatB);
    envB.put("PRESENCE_PORT", "" + presenceB);

    Process b = Launched.start(log, envB, "all", "-cluster");
    started.add(b);
    Launched.awaitReady(b, presenceB, log);
    Process a = Launched.start(log, envA, "chat", "-cluster");
    started.add(a);
    Launched.awaitReady(a, chatA, log);

    Rest rest = new Rest(chatA);
    String sender = "sender_" + System.nanoTime() % 100000;
    String watcher = "watcher_" + System.nanoTime() % 100000;
    String senderToken = rest.register(sender, "password-1");
    String watcherToken = rest.register(watcher, "password-2");
    assertEquals(200, rest.post("/api/chats", new JsonObject().put("with", watcher), senderToken).status());

    int total = 300;
    Map<String, String> ackedBeforeCrash = new HashMap<>();
    try (WsClient watcherPresence = WsClient.authenticated(vertx, presenceB, watcherToken);
         WsClient watcherChat = WsClient.authenticated(vertx, chatB, watcherToken)) {
      WsClient onA = WsClient.authenticated(vertx, chatA, senderToken);
      // the cluster works across the two processes: presence on B sees the sender on A
      JsonObject online = watcherPresence.until(f -> sender.equals(f.getString("username")));
      assertEquals("online", online.getString("status"));

      for (int i = 0; i < total; i++) {
        onA.send(message(watcher, i));
      }
      while (ackedBeforeCrash.size() < 100) {
        JsonObject ack = onA.next("SUCCESS");
        ackedBeforeCrash.put(ack.getString("clientMsgId"), ack.getString("messageId"));
      }
      long killedAt = System.nanoTime();
      Launched.killGroup(a);
      onA.closeCode();
      for (JsonObject late : onA.pending()) {
        if ("SUCCESS".equals(late.getString("type"))) {
          ackedBeforeCrash.put(late.getString("clientMsgId"), late.getString("messageId"));
        }
      }
      onA.close();

      JsonObject offline = watcherPresence.until(f -> sender.equals(f.getString("username")));
      long offlineMs = (System.nanoTime() - killedAt) / 1_000_000;
      assertEquals("offline", offline.getString("status"));
      System.out.printf("SIGKILL of node A -> offline on node B after %d ms; %d of %d acknowledged before the crash%n",
        offlineMs, ackedBeforeCrash.size(), total);
      assertTrue(offlineMs <= 10_000, "offline after " + offlineMs + " ms");

      // the client reconnects to the surviving node and retries everything with the same clientMsgIds
      Map<String, String> final_ = new HashMap<>();
      try (WsClient onB = WsClient.authenticated(vertx, chatB, senderToken)) {
        for (int i = 0; i < total; i++) {
          onB.send(message(watcher, i));
        }
        for (int i = 0; i < total; i++) {
          JsonObject ack = onB.next("SUCCESS");
          final_.put(ack.getString("clientMsgId"), ack.getString("messageId"));
        }
        ackedBeforeCrash.forEach((clientMsgId, messageId) ->
          assertEquals(messageId, final_.get(clientMsgId), "a retry answers the first message's id"));

        List<JsonObject> history = onB.oneToOneHistory(watcher);

        assertEquals(total, history.size(), "every message stored exactly once");
        Set<String> ids = new HashSet<>();
        Set<String> contents = new HashSet<>();
        history.forEach(m -> {
          ids.add(m.getString("messageId"));
          contents.add(m.getString("content"));
        });
        assertEquals(total, ids.size());
        assertEquals(total, contents.size());
        assertTrue(ids.containsAll(ackedBeforeCrash.values()), "every acknowledged message is in history");
      }
      // the watcher on B received the sender's messages across nodes
      assertEquals("ONE_TO_ONE_CHAT", watcherChat.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type"))).getString("type"));
    }
  }

  private static JsonObject message(String to, int i) {
    return new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", to).put("content", "m" + i).put("clientMsgId", "k" + i);
  }
}
