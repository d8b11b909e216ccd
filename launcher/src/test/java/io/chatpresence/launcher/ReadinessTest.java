package io.chatpresence.launcher;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.launcher.db.EmbeddedDatabase;
import io.chatpresence.launcher.db.Migrations;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.chat.ChatVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /ready} follows the database: 503 with the reason while it is down (on both ports), 200 again when it
 * is back; {@code /health} (liveness) stays 200 throughout, so an outage does not get pods restarted. Its data
 * says whether the other verticle answers on the event bus.
 */
class ReadinessTest {
  private Vertx vertx;
  private TestServer server;
  private EmbeddedDatabase db;

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.stop();
    }
    if (vertx != null) {
      TestServer.await(vertx.close());
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  void readyTurns503WhenTheDatabaseStopsAndBackWhenItReturns() throws Exception {
    Path dir = Files.createTempDirectory("ready-pg");
    db = EmbeddedDatabase.start(dir, 0);
    Migrations.migrate(db.url());
    int pgPort = db.port();
    vertx = Vertx.vertx();
    server = new TestServer(vertx, new JsonObject().put(ConfigKeys.PG_URL, db.url())).start();
    Rest chat = new Rest(server.chatPort);
    Rest presence = new Rest(server.presencePort);

    for (Rest rest : new Rest[] {chat, presence}) {
      Rest.Response ready = rest.get("/ready", null);
      assertEquals(200, ready.status(), ready.body());
      JsonObject body = ready.json();
      assertEquals("UP", body.getString("status"));
      assertEquals("UP", check(body, "database").getString("status"));
      JsonObject servers = check(body, "servers").getJsonObject("data");
      assertEquals(2, servers.size(), "chat and presence: " + servers);
      servers.forEach(e -> assertEquals("listening", e.getValue()));
      assertEquals(false, check(body, "cluster").getJsonObject("data").getBoolean("clustered"));
    }

    db.close();
    db = null;
    for (Rest rest : new Rest[] {chat, presence}) {
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        Rest.Response ready = rest.get("/ready", null);
        assertEquals(503, ready.status(), ready.body());
        JsonObject body = ready.json();
        assertEquals("DOWN", body.getString("status"));
        assertTrue(body.getString("reason").startsWith("database: "), body.encode());
        assertEquals("DOWN", check(body, "database").getString("status"));
        assertEquals("UP", check(body, "servers").getString("status"));
      });
      Rest.Response health = rest.get("/health", null);
      assertEquals(200, health.status(), health.body());
      assertEquals("UP", health.json().getString("status"));
    }

    db = EmbeddedDatabase.start(dir, pgPort);
    for (Rest rest : new Rest[] {chat, presence}) {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(200, rest.get("/ready", null).status()));
    }
    server.newUser("back");
  }

  @Test
  void readySaysWhetherTheOtherVerticleAnswersOnTheEventBus() {
    vertx = Vertx.vertx();
    server = new TestServer(vertx, new JsonObject()).start();
    for (int port : new int[] {server.chatPort, server.presencePort}) {
      JsonObject peer = check(new Rest(port).get("/ready", null).json(), "peer");
      assertEquals("UP", peer.getString("status"));
      assertEquals(Set.of("reachable"), Set.copyOf(peer.getJsonObject("data").getMap().values()), peer.encode());
    }
    server.stop();
    server = null;

    // chat alone, as `bin/vertx run chat` without -cluster beside a presence process: still ready, but it says so
    TestServer alone = new TestServer(vertx, new JsonObject());
    TestServer.await(vertx.deployVerticle(ChatVerticle.class, new DeploymentOptions().setConfig(alone.config)));
    Rest.Response ready = new Rest(alone.chatPort).get("/ready", null);
    assertEquals(200, ready.status(), ready.body());
    assertEquals("unreachable on the event bus",
      check(ready.json(), "peer").getJsonObject("data").getString("presence"), ready.body());
  }

  static JsonObject check(JsonObject body, String id) {
    JsonArray checks = body.getJsonArray("checks");
    for (int i = 0; i < checks.size(); i++) {
      if (id.equals(checks.getJsonObject(i).getString("id"))) {
        return checks.getJsonObject(i);
      }
    }
    throw new AssertionError("no check " + id + " in " + body.encode());
  }
}
