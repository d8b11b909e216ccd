package io.chatpresence.launcher;

import io.chatpresence.launcher.db.DatabaseBootstrap;
import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With no PG_URL the launcher runs embedded PostgreSQL under DATA_DIR ({@link DatabaseBootstrap}, as its hook
 * does before deploying): stop everything, start again, nothing lost. (A start that fails: {@code LaunchIT}.)
 */
@ExtendWith(VertxExtension.class)
class DurabilityTest {

  @Test
  void accountsGroupsMessagesAndTokensSurviveAFullRestart(Vertx vertx) throws Exception {
    Path dataDir = Files.createTempDirectory("chat-durable");
    JsonObject embedded = new JsonObject().put(ConfigKeys.JWT_SECRET, (String) null)
      .put(ConfigKeys.DATA_DIR, dataDir.toString());
    JsonObject launched = ConfigKeys.defaults().mergeIn(embedded).put(ConfigKeys.PG_URL, (String) null);

    DatabaseBootstrap database = new DatabaseBootstrap();
    TestServer first = new TestServer(vertx, embedded.copy().put(ConfigKeys.PG_URL, database.prepare(launched))).start();
    assertTrue(Files.exists(dataDir.resolve("pg").resolve("postmaster.pid")), "embedded PostgreSQL runs in DATA_DIR");
    TestServer.User alice = first.newUser("dura");
    TestServer.User bob = first.newUser("dura");
    String groupId = "g_" + alice.name();
    String chatId;
    try (WsClient a = first.chat(alice)) {
      a.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", bob.name()).put("content", "kept 1"));
      chatId = a.next("SUCCESS").getString("chatId");
      a.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", bob.name()).put("content", "kept 2"));
      a.next("SUCCESS");
      a.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
      a.next("SUCCESS");
      a.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", groupId).put("content", "kept 3"));
      a.next("SUCCESS");
    }
    first.stop();
    database.close();
    assertFalse(Files.exists(dataDir.resolve("pg").resolve("postmaster.pid")), "the database stopped after the verticles");

    DatabaseBootstrap again = new DatabaseBootstrap();
    TestServer second = new TestServer(vertx, embedded.copy().put(ConfigKeys.PG_URL, again.prepare(launched))).start();
    try {
      Rest.Response login = second.rest.post("/api/auth/login",
        new JsonObject().put("username", bob.name()).put("password", "password-" + bob.name()), null);
      assertEquals(200, login.status());
      String bobToken = login.json().getString("token");
      assertEquals(200, second.rest.get("/api/me", alice.token()).status(), "the generated secret was kept");

      try (WsClient b = second.chat(new TestServer.User(bob.name(), bobToken)); WsClient a = second.chat(alice)) {
        b.send(new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("chatId", chatId));
        JsonArray messages = b.next("ONE_TO_ONE_CHAT_HISTORY").getJsonArray("messages");
        assertEquals(2, messages.size());
        assertEquals("kept 1", messages.getJsonObject(0).getString("content"));
        assertEquals("kept 2", messages.getJsonObject(1).getString("content"));
        a.send(new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", groupId));
        assertEquals("kept 3", a.next("GROUP_CHAT_HISTORY").getJsonArray("messages").getJsonObject(0).getString("content"));
      }
    } finally {
      second.stop();
      again.close();
    }
  }
}
