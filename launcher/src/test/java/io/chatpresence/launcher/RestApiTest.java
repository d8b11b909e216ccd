package io.chatpresence.launcher;

import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class RestApiTest {
  @RegisterExtension
  static final TestServer server = TestServer.perClass(new JsonObject());
  private static final Rest rest = server.rest;

  private static JsonObject credentials(String username, String password) {
    return new JsonObject().put("username", username).put("password", password);
  }

  @Test
  void registerAnswersTokenAndRefusesTakenOrInvalidNames() {
    String name = "reg_" + System.nanoTime() % 1_000_000;
    Rest.Response created = rest.post("/api/auth/register", credentials(name, "password1"), null);
    assertEquals(201, created.status());
    assertEquals(name, created.json().getString("username"));
    assertNotNull(created.json().getString("token"));
    assertTrue(Instant.parse(created.json().getString("expiresAt")).isAfter(Instant.now().plusSeconds(23 * 3600)));

    Rest.Response taken = rest.post("/api/auth/register", credentials(name, "password1"), null);
    assertEquals(409, taken.status());
    assertEquals("CONFLICT", taken.json().getString("error"));

    assertEquals(400, rest.post("/api/auth/register", credentials("ab", "password1"), null).status());
    assertEquals(400, rest.post("/api/auth/register", credentials("bad name!", "password1"), null).status());
    assertEquals(400, rest.post("/api/auth/register", credentials(name + "x", "short"), null).status());
    assertEquals(400, rest.post("/api/auth/register", credentials(name + "y", "x".repeat(129)), null).status());
    Rest.Response notJson = rest.postRaw("/api/auth/register", "{nope", null);
    assertEquals(400, notJson.status());
    assertEquals("INVALID", notJson.json().getString("error"));
  }

  @Test
  void loginAnswersTheSameForUnknownUserAndWrongPassword() {
    TestServer.User alice = server.newUser("login");
    Rest.Response ok = rest.post("/api/auth/login", credentials(alice.name(), "password-" + alice.name()), null);
    assertEquals(200, ok.status());
    assertEquals(alice.name(), ok.json().getString("username"));

    Rest.Response wrong = rest.post("/api/auth/login", credentials(alice.name(), "wrong-password"), null);
    Rest.Response unknown = rest.post("/api/auth/login", credentials("nobody_" + System.nanoTime(), "wrong-password"), null);
    assertEquals(401, wrong.status());
    assertEquals(401, unknown.status());
    assertEquals(wrong.body(), unknown.body());
  }

  @Test
  void meNeedsAValidBearer() {
    TestServer.User bob = server.newUser("me");
    Rest.Response me = rest.get("/api/me", bob.token());
    assertEquals(200, me.status());
    assertEquals(bob.name(), me.json().getString("username"));
    assertEquals(401, rest.get("/api/me", null).status());
    assertEquals(401, rest.get("/api/me", "garbage").status());
    assertEquals("AUTH_FAILED", rest.get("/api/me", "garbage").json().getString("error"));
  }

  @Test
  void logoutRevokesTheTokenAndClosesItsSockets(Vertx vertx) {
    TestServer.User carol = server.newUser("logout");
    try (WsClient chat = server.chat(carol); WsClient presence = server.presence(carol)) {
      assertEquals(204, rest.post("/api/auth/logout", null, carol.token()).status());
      assertEquals(4401, chat.closeCode());
      assertEquals(4401, presence.closeCode());
    }
    assertEquals(401, rest.get("/api/me", carol.token()).status());
    try (WsClient again = WsClient.connect(vertx, server.chatPort)) {
      again.send(new JsonObject().put("type", "AUTH").put("token", carol.token()));
      assertEquals("AUTH_FAILED", again.next("ERROR").getString("code"));
      assertEquals(4401, again.closeCode());
    }
  }

  @Test
  void usersSearchByPrefixWithStatus() {
    TestServer.User dave = server.newUser("search");
    TestServer.User erin = server.newUser("search");
    try (WsClient online = server.chat(erin)) {
      JsonArray users = rest.get("/api/users?q=" + dave.name().substring(0, 10), dave.token()).array();
      JsonObject erinEntry = find(users, erin.name());
      JsonObject daveEntry = find(users, dave.name());
      assertEquals("online", erinEntry.getString("status"));
      assertEquals("offline", daveEntry.getString("status"));
    }
    assertEquals(0, rest.get("/api/users?q=%25", dave.token()).array().size(), "LIKE wildcards are literal");
  }

  @Test
  void chatsAreOnePerPairInEitherOrderAndListedWithTheirLastMessage(Vertx vertx) {
    TestServer.User frank = server.newUser("pair");
    TestServer.User grace = server.newUser("pair");
    Rest.Response first = rest.post("/api/chats", new JsonObject().put("with", grace.name()), frank.token());
    Rest.Response second = rest.post("/api/chats", new JsonObject().put("with", frank.name()), grace.token());
    assertEquals(200, first.status());
    String chatId = first.json().getString("chatId");
    assertEquals(chatId, second.json().getString("chatId"));
    assertTrue(first.json().getJsonArray("participants").contains(grace.name()));

    assertEquals(404, rest.post("/api/chats", new JsonObject().put("with", "ghost_" + System.nanoTime() % 100000), frank.token()).status());
    assertEquals(400, rest.post("/api/chats", new JsonObject().put("with", frank.name()), frank.token()).status());

    try (WsClient ws = server.chat(frank)) {
      ws.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", grace.name()).put("content", "latest").put("chatId", chatId));
      ws.next("SUCCESS");
    }
    JsonArray chats = rest.get("/api/chats", grace.token()).array();
    assertEquals(1, chats.size());
    assertEquals(chatId, chats.getJsonObject(0).getString("chatId"));
    assertEquals(frank.name(), chats.getJsonObject(0).getString("with"));
    assertEquals("latest", chats.getJsonObject(0).getJsonObject("lastMessage").getString("content"));
  }

  @Test
  void groupsAreCreatedWithTheOwnerAsMemberAndListed() {
    TestServer.User owner = server.newUser("owner");
    Rest.Response created = rest.post("/api/groups", new JsonObject().put("name", "Book club"), owner.token());
    assertEquals(201, created.status());
    assertEquals("Book club", created.json().getString("name"));
    assertEquals(owner.name(), created.json().getString("owner"));
    JsonArray mine = rest.get("/api/groups", owner.token()).array();
    assertEquals(1, mine.size());
    assertEquals(created.json().getString("groupId"), mine.getJsonObject(0).getString("groupId"));
    assertEquals(1, mine.getJsonObject(0).getInteger("memberCount"));
    assertEquals(400, rest.post("/api/groups", new JsonObject().put("name", ""), owner.token()).status());
  }

  @Test
  void healthAndReadinessOnBothPorts() {
    assertEquals(200, rest.get("/health", null).status());
    assertEquals("UP", rest.get("/ready", null).json().getString("status"));
    Rest presence = new Rest(server.presencePort);
    assertEquals(200, presence.get("/health", null).status());
    assertEquals(200, presence.get("/ready", null).status());
    assertEquals(404, rest.get("/api/nothing-here", server.newUser("x").token()).status());
  }

  private static JsonObject find(JsonArray users, String name) {
    for (int i = 0; i < users.size(); i++) {
      if (name.equals(users.getJsonObject(i).getString("username"))) {
        return users.getJsonObject(i);
      }
    }
    throw new AssertionError(name + " not in " + users.encode());
  }

  @Test
  void servesTheWebClientAndThePresencePortItConnectsTo() {
    Rest.Response config = rest.get("/config.json", null);
    assertEquals(200, config.status());
    assertEquals(server.presencePort, config.json().getInteger("presencePort"));

    Rest.Response page = rest.get("/", null);
    assertEquals(200, page.status());
    assertTrue(page.body().contains("<script type=\"module\""), page.body());
    assertEquals(200, rest.get("/js/app.js", null).status());
  }
}
