package io.chatpresence.launcher;

import io.chatpresence.server.testing.Ports;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.TestDatabase;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The product as users launch it: {@code bin/vertx run ...} in its own process, stopped with SIGTERM and
 * crashed with SIGKILL of its whole process group.
 */
class LaunchIT {
  private static final Path ROOT = Launched.ROOT;
  private static Vertx vertx;
  private final List<Process> started = new ArrayList<>();

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() {
    vertx.close();
  }

  @AfterEach
  void stopWhatWeStarted() throws Exception {
    Launched.stopAll(started);
  }

  private Process launch(Path log, Map<String, String> env, String... args) throws Exception {
    Process p = Launched.start(log, env, args);
    started.add(p);
    return p;
  }

  private static void awaitReady(Process p, int port, Path log) {
    Launched.awaitReady(p, port, log);
  }

  @Test
  void runAllStopsCleanlyAndStartsAgainAfterACrashWithEverythingKept() throws Exception {
    Path data = Files.createTempDirectory("launch-data");
    Path log = Files.createTempFile("launch", ".log");
    int chat = Ports.free();
    int presence = Ports.free();
    Map<String, String> env = Map.of("DATA_DIR", data.toString(), "CHAT_PORT", "" + chat,
      "PRESENCE_PORT", "" + presence, "PASSWORD_ITERATIONS", "1000");
    Rest rest = new Rest(chat);

    Process first = launch(log, env, "all");
    awaitReady(first, chat, log);
    awaitReady(first, presence, log);
    String token = rest.register("launch_user", "password-1");
    rest.register("launch_peer", "password-2");
    String chatId;
    try (WsClient ws = WsClient.authenticated(vertx, chat, token); WsClient p = WsClient.authenticated(vertx, presence, token)) {
      ws.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", "launch_peer").put("content", "before stop"));
      chatId = ws.next("SUCCESS").getString("chatId");
      first.destroy(); // SIGTERM
      assertEquals(1001, ws.closeCode());
      assertEquals(1001, p.closeCode());
    }
    assertTrue(first.waitFor(60, TimeUnit.SECONDS));
    assertFalse(Files.exists(data.resolve("pg/postmaster.pid")), "embedded PostgreSQL stopped with the process");

    Process second = launch(log, env, "all");
    awaitReady(second, chat, log);
    try (WsClient ws = WsClient.authenticated(vertx, chat, token)) {
      ws.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", "launch_peer").put("content", "before crash"));
      ws.next("SUCCESS");
    }
    Launched.killGroup(second);
    assertTrue(second.waitFor(30, TimeUnit.SECONDS));

    Process third = launch(log, env, "all");
    awaitReady(third, chat, log);
    Rest.Response login = rest.post("/api/auth/login",
      new JsonObject().put("username", "launch_peer").put("password", "password-2"), null);
    assertEquals(200, login.status());
    try (WsClient ws = WsClient.authenticated(vertx, chat, login.json().getString("token"))) {
      ws.send(new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("chatId", chatId));
      var messages = ws.next("ONE_TO_ONE_CHAT_HISTORY").getJsonArray("messages");
      assertEquals(2, messages.size());
      assertEquals("before crash", messages.getJsonObject(1).getString("content"));
    }
    third.destroy();
    assertTrue(third.waitFor(60, TimeUnit.SECONDS));
    assertFalse(Files.exists(data.resolve("pg/postmaster.pid")));
  }

  @Test
  void aStartThatFailsExitsWithAnErrorAndLeavesNoDatabaseRunning() throws Exception {
    Path data = Files.createTempDirectory("launch-failed");
    Path log = Files.createTempFile("launch-failed", ".log");
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Process p = launch(log, Map.of("DATA_DIR", data.toString(), "CHAT_PORT", "" + taken.getLocalPort(),
        "PRESENCE_PORT", "" + Ports.free()), "all");
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the process ends by itself");
      assertNotEquals(0, p.exitValue(), Files.readString(log));
    }
    await().atMost(java.time.Duration.ofSeconds(30))
      .until(() -> !Files.exists(data.resolve("pg").resolve("postmaster.pid")));
  }

  @Test
  void chatAndPresenceRunAloneWithLauncherFlags() throws Exception {
    Path log = Files.createTempFile("launch-alone", ".log");
    int chat = Ports.free();
    int presence = Ports.free();
    String conf = new JsonObject().put("CHAT_PORT", chat).put("PRESENCE_PORT", presence)
      .put("PASSWORD_ITERATIONS", 1000).encode();
    Map<String, String> env = Map.of("PG_URL", TestDatabase.url(), "JWT_SECRET", "launch-it-secret-0123456789abcdef",
      "DATA_DIR", Files.createTempDirectory("launch-alone").toString());
    Process chatNode = launch(log, env, "chat", "-instances", "2", "-conf", conf);
    Process presenceNode = launch(log, env, "presence", "-conf", conf);
    awaitReady(chatNode, chat, log);
    awaitReady(presenceNode, presence, log);
    String token = new Rest(chat).register("alone_user", "password-1");
    try (WsClient p = WsClient.authenticated(vertx, presence, token); WsClient c = WsClient.authenticated(vertx, chat, token)) {
      c.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", "alone_group"));
      assertEquals("joined", c.next("SUCCESS").getString("msg"));
    }
    assertTrue(new File(ROOT.toFile(), "launcher/target/chat-presence.jar").exists());
  }
}
