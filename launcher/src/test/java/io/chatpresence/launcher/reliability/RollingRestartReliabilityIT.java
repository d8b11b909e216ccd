package io.chatpresence.launcher.reliability;

import io.chatpresence.launcher.reliability.netns.Netns;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 2, rolling restart (issue 17): three chat nodes and one presence node, each in its own namespace,
 * under a steady load (full: 200 clients at 5 msg/s each; short: 30 at 2 msg/s). Each chat node in turn gets
 * SIGTERM, is started again and is waited for ({@code /ready}). Required: nothing acknowledged lost, nothing
 * stored twice, every client back within the client document's schedule (5 attempts, 2 to 10 s apart), and
 * no offline flap seen by a contact for a client that was back within the presence grace period.
 */
class RollingRestartReliabilityIT {
  private static final String SECRET = "rolling-reliability-secret-0123456789";
  private static final long GRACE_MS = 3_000;

  private final Vertx vertx = Vertx.vertx();
  private final List<LoadClient> clients = new ArrayList<>();
  private final List<WsClient> others = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(LoadClient::stop);
    others.forEach(WsClient::close);
    vertx.close();
  }

  @Test
  void chatNodesRestartedOneByOneLoseNothingAndClientsComeBack() throws Exception {
    int n = Figures.size(30, 200);
    double rate = Figures.full() ? 5 : 2;
    try (Netns net = Netns.create("rolling", VanishReliabilityIT.pgPort())) {
      List<Netns.Node> chatNodes = List.of(net.node("chat1", 1), net.node("chat2", 2), net.node("chat3", 3));
      Netns.Node presence = net.node("presence", 4);
      List<Netns.Node> members = new ArrayList<>(chatNodes);
      members.add(presence);
      Map<String, String> env = new HashMap<>(Map.of("JWT_SECRET", SECRET, "PASSWORD_ITERATIONS", "1000",
        "CLUSTER_NAME", "rolling-" + UUID.randomUUID(), "JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC",
        "DATA_DIR", Files.createTempDirectory("rolling-data").toString(),
        "PRESENCE_GRACE_MS", "" + GRACE_MS));
      Map<Netns.Node, Process> processes = new HashMap<>();
      Map<Netns.Node, Path> logs = new HashMap<>();
      Map<Netns.Node, Map<String, String>> envs = new HashMap<>();
      for (Netns.Node node : members) {
        Map<String, String> nodeEnv = new HashMap<>(env);
        nodeEnv.put("VERTX_HAZELCAST_CONFIG", net.hazelcastConfig(node, members).toString());
        envs.put(node, nodeEnv);
        logs.put(node, net.dir().resolve("node-" + node.name + ".log"));
        processes.put(node, node.startProduct(logs.get(node), nodeEnv, node == presence ? "presence" : "chat",
          "-cluster"));
      }
      List<Integer> chatPorts = new ArrayList<>();
      for (Netns.Node node : chatNodes) {
        chatPorts.add(node.local(4000));
      }
      int presencePort = presence.local(5000);
      for (int i = 0; i < 3; i++) {
        Netns.awaitReady(processes.get(chatNodes.get(i)), chatPorts.get(i), logs.get(chatNodes.get(i)),
          Duration.ofSeconds(180));
      }
      Netns.awaitReady(processes.get(presence), presencePort, logs.get(presence), Duration.ofSeconds(180));

      // users in a ring (each sends to the next, which makes them contacts), and a watcher of them all
      Rest rest = new Rest(chatPorts.get(0));
      String run = Long.toString(System.nanoTime() % 1_000_000, 36);
      List<String> names = new ArrayList<>();
      Map<String, String> tokens = new HashMap<>();
      for (int i = 0; i < n; i++) {
        String name = "roll" + i + "_" + run;
        names.add(name);
        tokens.put(name, rest.register(name, "password-" + name));
      }
      String watcher = "rwatch_" + run;
      String watcherToken = rest.register(watcher, "password-watcher");
      for (int i = 0; i < n; i++) {
        assertEquals(200, rest.post("/api/chats", new JsonObject().put("with", names.get((i + 1) % n)),
          tokens.get(names.get(i))).status());
        assertEquals(200, rest.post("/api/chats", new JsonObject().put("with", names.get(i)), watcherToken).status());
      }
      WsClient watcherSocket = WsClient.authenticated(vertx, presencePort, watcherToken);
      others.add(watcherSocket);
      PresenceView view = new PresenceView(watcherSocket);
      WebSocketClient wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(4 * n));
      for (int i = 0; i < n; i++) {
        LoadClient c = new LoadClient(vertx, wsClient, names.get(i), tokens.get(names.get(i)),
          names.get((i + 1) % n), chatPorts, i % 3);
        clients.add(c);
        c.start(rate);
      }
      Set<String> all = new HashSet<>(names);
      await().atMost(Duration.ofSeconds(60)).until(() -> clients.stream().allMatch(LoadClient::authenticated));
      await().atMost(Duration.ofSeconds(30)).until(() -> view.shows(all, all));
      long steadyFrom = System.nanoTime();
      int updatesBefore = view.log.size();

      // SIGTERM each chat node in turn, start it again, wait for /ready and for every client to be back
      List<Double> restartSeconds = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Netns.Node node = chatNodes.get(i);
        long t0 = System.nanoTime();
        Process p = processes.get(node);
        p.destroy();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), node.name + " did not stop on SIGTERM");
        Process again = node.startProduct(logs.get(node), envs.get(node), "chat", "-cluster");
        processes.put(node, again);
        Netns.awaitReady(again, chatPorts.get(i), logs.get(node), Duration.ofSeconds(180));
        restartSeconds.add((System.nanoTime() - t0) / 1e9);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
          view.poll();
          return clients.stream().allMatch(c -> c.authenticated() || c.gaveUp);
        });
      }
      view.poll();
      clients.forEach(LoadClient::stopSending);
      long drainDeadline = System.nanoTime() + 60_000_000_000L;
      PartitionReliabilityIT.Pacer pacer = new PartitionReliabilityIT.Pacer(250);
      while (System.nanoTime() < drainDeadline
        && !clients.stream().allMatch(c -> c.unackedCount() == 0 || c.gaveUp)) {
        pacer.await(() -> { });
      }
      int unackedAtEnd = clients.stream().mapToInt(LoadClient::unackedCount).sum();
      double steadySeconds = (System.nanoTime() - steadyFrom) / 1e9;

      // the stored histories: every acknowledged message once
      int missing = 0;
      int duplicated = 0;
      int acked = 0;
      for (LoadClient c : clients) {
        Map<String, Integer> copies = new HashMap<>();
        try (WsClient reader = WsClient.authenticated(vertx, chatPorts.get(names.indexOf(c.name) % 3), c.token)) {
          for (JsonObject m : reader.oneToOneHistory(c.peer)) {
            if (c.name.equals(m.getString("from"))) {
              copies.merge(m.getString("content"), 1, Integer::sum);
            }
          }
        }
        synchronized (c) {
          acked += c.acked.size();
          for (String id : c.acked.keySet()) {
            if (!copies.containsKey(c.contentById.get(id))) {
              missing++;
            }
          }
        }
        for (int k : copies.values()) {
          duplicated += k - 1;
        }
      }

      // reconnect times, gaps, flaps
      List<Long> reconnects = new ArrayList<>();
      long worstGap = 0;
      int gaveUp = 0;
      Set<String> backWithinGrace = new HashSet<>();
      Map<String, Integer> errors = new java.util.TreeMap<>();
      for (LoadClient c : clients) {
        synchronized (c) {
          reconnects.addAll(c.reconnectNanos);
          worstGap = Math.max(worstGap, c.worstGapNanos);
          gaveUp += c.gaveUp ? 1 : 0;
          c.errors.forEach((code, k) -> errors.merge(code, k, Integer::sum));
          if (!c.reconnectNanos.isEmpty() && c.reconnectNanos.stream().allMatch(r -> r < GRACE_MS * 1_000_000L)) {
            backWithinGrace.add(c.name);
          }
        }
      }
      long[] sorted = reconnects.stream().mapToLong(Long::longValue).sorted().toArray();
      Set<String> flapped = new HashSet<>();
      Set<String> flappedWithinGrace = new HashSet<>();
      for (Object[] e : view.log.subList(updatesBefore, view.log.size())) {
        if ("offline".equals(e[1])) {
          flapped.add((String) e[0]);
          if (backWithinGrace.contains(e[0])) {
            flappedWithinGrace.add((String) e[0]);
          }
        }
      }
      new Figures("rolling restart: three chat nodes SIGTERMed and restarted in turn under load")
        .put("clients", n).put("msg_per_s_each", rate).put("seconds", String.format("%.0f", steadySeconds))
        .put("restart_to_ready_s", restartSeconds.stream().map(s -> String.format("%.1f", s)).toList())
        .put("acknowledged", acked).put("unacknowledged_at_end", unackedAtEnd).put("error_frames", errors)
        .put("missing", missing).put("duplicated", duplicated)
        .put("reconnects", sorted.length)
        .put("reconnect_ms_p50", String.format("%.0f", Figures.percentile(sorted, 0.50)))
        .put("reconnect_ms_p99", String.format("%.0f", Figures.percentile(sorted, 0.99)))
        .put("reconnect_ms_max", sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1_000_000)
        .put("gave_up", gaveUp).put("worst_delivery_gap_ms", worstGap / 1_000_000)
        .put("back_within_grace", backWithinGrace.size()).put("offline_flaps", flapped.size())
        .put("offline_flaps_of_clients_back_within_grace", flappedWithinGrace.size()).report();
      assertEquals(0, missing, "acknowledged messages missing");
      assertEquals(0, duplicated, "messages stored twice");
      assertEquals(0, gaveUp, "clients that did not get back within the schedule");
      assertEquals(0, unackedAtEnd, "messages never acknowledged in spite of the clients' retries");
      assertEquals(Set.of(), flappedWithinGrace, "offline flaps of clients back within the grace period");
      assertTrue(sorted.length >= n, "every client reconnected at least once (" + sorted.length + ")");
    }
  }
}
