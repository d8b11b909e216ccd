package io.chatpresence.launcher;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.launcher.db.EmbeddedDatabase;
import io.chatpresence.launcher.db.Migrations;
import io.chatpresence.server.testing.Ports;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** PostgreSQL goes away and comes back: never a false SUCCESS, /ready tells, service resumes by itself. */
@ExtendWith(VertxExtension.class)
class DatabaseOutageTest {
  private static Path dataDir;
  private static int port;
  private static EmbeddedDatabase database;
  private static TestServer server;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    dataDir = Files.createTempDirectory("outage-pg");
    port = Ports.free();
    database = EmbeddedDatabase.start(dataDir, port);
    Migrations.migrate(database.url());
    server = new TestServer(vertx, new JsonObject().put(ConfigKeys.PG_URL, database.url())).start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
    database.close();
  }

  @Test
  void whileTheDatabaseIsDownSendsAnswerUnavailableAndServiceResumesWhenItReturns() throws Exception {
    TestServer.User alice = server.newUser("outage");
    TestServer.User bob = server.newUser("outage");
    Rest rest = server.rest;
    try (WsClient a = server.chat(alice); WsClient b = server.chat(bob)) {
      a.send(ChatSocketTest.direct(bob.name(), "before").put("clientMsgId", "o-1"));
      a.next("SUCCESS");
      b.next("ONE_TO_ONE_CHAT");

      database.close();
      a.send(ChatSocketTest.direct(bob.name(), "during").put("clientMsgId", "o-2"));
      JsonObject refused = a.next("ERROR");
      assertEquals("UNAVAILABLE", refused.getString("code"));
      assertEquals("o-2", refused.getString("clientMsgId"));
      assertEquals(503, rest.get("/ready", null).status());
      assertEquals("DOWN", rest.get("/ready", null).json().getString("status"));
      assertEquals(503, new Rest(server.presencePort).get("/ready", null).status());
      assertEquals(503, rest.post("/api/auth/login",
        new JsonObject().put("username", alice.name()).put("password", "x-password"), null).status());
      assertFalse(a.isClosed(), "the socket stays open");

      database = EmbeddedDatabase.start(dataDir, port);
      long back = System.nanoTime();
      AtomicReference<JsonObject> answer = new AtomicReference<>();
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> {
        a.send(ChatSocketTest.direct(bob.name(), "after").put("clientMsgId", "o-3"));
        answer.set(a.next());
        return "SUCCESS".equals(answer.get().getString("type"));
      });
      System.out.printf("service resumed %d ms after PostgreSQL came back%n", (System.nanoTime() - back) / 1_000_000);
      assertEquals(200, rest.get("/ready", null).status());

      a.send(ChatSocketTest.history(bob.name()));
      var messages = a.next("ONE_TO_ONE_CHAT_HISTORY").getJsonArray("messages");
      assertEquals(2, messages.size(), "the refused message was not stored: " + messages.encode());
      assertEquals("before", messages.getJsonObject(0).getString("content"));
      assertEquals("after", messages.getJsonObject(1).getString("content"));
    }
  }
}
