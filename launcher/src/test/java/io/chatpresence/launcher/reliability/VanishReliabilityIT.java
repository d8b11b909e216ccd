package io.chatpresence.launcher.reliability;

import io.chatpresence.launcher.reliability.netns.Netns;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.TestDatabase;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 0, vanish (issue 17): the product in one namespace, clients in another over a veth link. The link is
 * cut while the clients hold chat and presence sockets, and the clients' side is killed (no FIN can pass): their
 * contact, connected from the server's own namespace, must see each of them offline within
 * PING_INTERVAL_MS + PONG_TIMEOUT_MS + PRESENCE_GRACE_MS; the server's sockets of theirs are closed and counted
 * in /metrics; a client that comes back reconnects normally. Full: the default 20 s / 10 s; short: 4 s / 2 s.
 */
class VanishReliabilityIT {
  private static final String SECRET = "vanish-reliability-secret-0123456789";
  private static final long GRACE_MS = 3_000;
  /** The sweep's tick (a tenth of the timeout) plus scheduling on a shared machine. */
  private static final long SLACK_MS = 2_000;

  private final Vertx vertx = Vertx.vertx();
  private final List<WsClient> sockets = new ArrayList<>();

  @AfterEach
  void close() {
    sockets.forEach(WsClient::close);
    vertx.close();
  }

  @Test
  void vanishedClientsAreSeenOfflineWithinTheBoundAndCountedAndMayComeBack() throws Exception {
    // -Dreliability.pingIntervalMs=0: the product as it was before the pings (the scenario must then fail)
    long intervalMs = Long.getLong("reliability.pingIntervalMs", Figures.full() ? 20_000 : 4_000);
    long timeoutMs = Figures.full() ? 10_000 : 2_000;
    long boundMs = intervalMs + timeoutMs + GRACE_MS;
    int vanishing = Figures.size(3, 10);
    int pgPort = pgPort();
    try (Netns net = Netns.create("vanish", pgPort)) {
      Netns.Node server = net.node("server", 1);
      Netns.Node clients = net.node("clients", 2);
      Path log = net.dir().resolve("server.log");
      Process product = server.startProduct(log, Map.of("JWT_SECRET", SECRET, "PASSWORD_ITERATIONS", "1000",
        "DATA_DIR", Files.createTempDirectory("vanish-data").toString(),
        "PING_INTERVAL_MS", "" + intervalMs, "PONG_TIMEOUT_MS", "" + timeoutMs,
        "PRESENCE_GRACE_MS", "" + GRACE_MS, "JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC"), "all");
      int chatLocal = server.local(4000);
      int presenceLocal = server.local(5000);
      Netns.awaitReady(product, chatLocal, log, Duration.ofSeconds(120));
      int chatRemote = clients.gateway(server.address, 4000);
      int presenceRemote = clients.gateway(server.address, 5000);

      Rest rest = new Rest(chatLocal);
      String run = Long.toString(System.nanoTime() % 1_000_000, 36);
      String contact = "vcontact_" + run;
      String contactToken = rest.register(contact, "password-contact");
      Map<String, String> tokens = new HashMap<>();
      for (int i = 0; i < vanishing; i++) {
        String name = "vanish_" + run + "_" + i;
        tokens.put(name, rest.register(name, "password-" + i));
        assertEquals(200, rest.post("/api/chats", new JsonObject().put("with", name), contactToken).status());
      }
      PresenceView view = new PresenceView(open(presenceLocal, contactToken));
      for (String token : tokens.values()) {
        open(chatRemote, token);
        open(presenceRemote, token);
      }
      Set<String> users = tokens.keySet();
      await().atMost(Duration.ofSeconds(30)).until(() -> view.shows(users, users));
      String before = Prom.scrape(chatLocal);
      String beforePresence = Prom.scrape(presenceLocal);

      // the link goes down, then the clients' side dies: nothing of it reaches the server
      long cutAt = System.nanoTime();
      net.cut(clients);
      clients.killForwarder();
      await().atMost(Duration.ofMillis(boundMs + 30_000)).pollInterval(Duration.ofMillis(100))
        .until(() -> view.shows(users, Set.of()));
      long[] detected = users.stream().mapToLong(u -> (view.changedAt.get(u) - cutAt) / 1_000_000).sorted().toArray();
      long worst = detected[detected.length - 1];

      String after = Prom.scrape(chatLocal);
      String afterPresence = Prom.scrape(presenceLocal);
      double cutChat = Prom.sum(after, "chatpresence_sockets_unresponsive_total", "server=\"chat\"")
        - Prom.sum(before, "chatpresence_sockets_unresponsive_total", "server=\"chat\"");
      double cutPresence = Prom.sum(afterPresence, "chatpresence_sockets_unresponsive_total", "server=\"presence\"")
        - Prom.sum(beforePresence, "chatpresence_sockets_unresponsive_total", "server=\"presence\"");
      double chatOpen = Prom.sum(after, "chatpresence_sockets_authenticated", "server=\"chat\"");
      double presenceOpen = Prom.sum(afterPresence, "chatpresence_sockets_authenticated", "server=\"presence\"");

      // one comes back: the link is up again, a new client process, a normal reconnect
      net.heal(clients);
      clients.startForwarder();
      String back = users.iterator().next();
      long reconnectStart = System.nanoTime();
      // as a client does: it tries again until the way is back (the link and the new forwarder take a moment)
      WsClient again = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> open(chatRemote, tokens.get(back)), java.util.Objects::nonNull);
      await().atMost(Duration.ofSeconds(20)).until(() -> view.poll().online(back));
      double reconnectMs = (System.nanoTime() - reconnectStart) / 1e6;
      again.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", contact).put("content", "back"));
      assertEquals("SUCCESS", again.until(f -> "SUCCESS".equals(f.getString("type"))
        || "ERROR".equals(f.getString("type"))).getString("type"));

      new Figures("vanish: clients cut off by a link down and killed, seen by a contact")
        .put("clients", vanishing).put("sockets", 2 * vanishing)
        .put("ping_interval_ms", intervalMs).put("pong_timeout_ms", timeoutMs).put("grace_ms", GRACE_MS)
        .put("bound_ms", boundMs)
        .put("offline_after_ms_min", detected[0]).put("offline_after_ms_max", worst)
        .put("offline_after_ms_all", Arrays.toString(detected))
        .put("unresponsive_cut_chat", (long) cutChat).put("unresponsive_cut_presence", (long) cutPresence)
        .put("chat_sockets_left", (long) chatOpen).put("presence_sockets_left", (long) presenceOpen)
        .put("reconnect_after_heal_ms", String.format("%.0f", reconnectMs)).report();
      assertTrue(worst <= boundMs + SLACK_MS, "offline after " + worst + " ms, bound " + boundMs + " ms");
      assertEquals(vanishing, (long) cutChat, "chat sockets cut as unresponsive");
      assertEquals(vanishing, (long) cutPresence, "presence sockets cut as unresponsive");
      assertEquals(0, (long) chatOpen, "the vanished clients' chat sockets are closed");
      assertEquals(1, (long) presenceOpen, "only the contact's presence socket is left");
    }
  }

  private WsClient open(int port, String token) {
    WsClient c = WsClient.authenticated(vertx, port, token);
    sockets.add(c);
    return c;
  }

  /** The loopback port of the test JVM's PostgreSQL, offered inside the namespaces by their forwarders. */
  static int pgPort() {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(":(\\d+)/").matcher(TestDatabase.url());
    assertTrue(m.find(), TestDatabase.url());
    return Integer.parseInt(m.group(1));
  }
}
