package io.chatpresence.launcher;

import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Export and erasure of personal data, by the user and by the server-side API. */
class PersonalDataTest {
  private static final String KEY = "personal-data-admin-key-0123456789";

  @RegisterExtension
  static final TestServer SERVER = TestServer.perClass(new JsonObject().put("ADMIN_API_KEYS", KEY));

  @Test
  void exportHoldsTheAccountChatsGroupsAndEveryMessageSent() {
    TestServer.User a = SERVER.newUser("ex");
    TestServer.User b = SERVER.newUser("ex");
    String groupId;
    try (WsClient wa = SERVER.chat(a)) {
      for (int i = 0; i < 3; i++) {
        wa.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", b.name()).put("content", "m" + i));
        wa.next("SUCCESS");
      }
      groupId = SERVER.rest.post("/api/groups", new JsonObject().put("name", "export club"), a.token()).json().getString("groupId");
      wa.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", groupId).put("content", "g0"));
      wa.next("SUCCESS");
    }
    Rest.Response mine = SERVER.rest.get("/api/me/export", a.token());
    assertEquals(200, mine.status(), mine.body());
    JsonObject export = mine.json();
    assertEquals(a.name(), export.getJsonObject("account").getString("username"));
    assertFalse(mine.body().contains("pbkdf2") || export.getJsonObject("account").containsKey("passwordHash"));
    assertEquals(b.name(), export.getJsonArray("chats").getJsonObject(0).getString("with"));
    assertEquals(groupId, export.getJsonArray("groups").getJsonObject(0).getString("groupId"));
    JsonArray messages = export.getJsonArray("messages");
    assertEquals(List.of("m0", "m1", "m2", "g0"), messages.stream().map(m -> ((JsonObject) m).getString("content")).toList());
    Rest.Response byAdmin = SERVER.rest.get("/api/admin/users/" + a.name() + "/export", KEY);
    assertEquals(export, byAdmin.json());
    assertEquals(404, SERVER.rest.get("/api/admin/users/nobody_zz/export", KEY).status());
    assertEquals(401, SERVER.rest.get("/api/admin/users/" + a.name() + "/export", a.token()).status());
  }

  @Test
  void erasureClosesSocketsRemovesMembershipsErasesTextAndTheAccount() {
    TestServer.User a = SERVER.newUser("er");
    TestServer.User b = SERVER.newUser("er");
    String groupId = SERVER.rest.post("/api/groups", new JsonObject().put("name", "erasure club"), b.token()).json().getString("groupId");
    try (WsClient wa = SERVER.chat(a); WsClient wb = SERVER.chat(b); WsClient pa = SERVER.presence(a)) {
      wa.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
      wa.next("SUCCESS");
      wa.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", b.name()).put("content", "secret 1"));
      wa.next("SUCCESS");
      wa.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", groupId).put("content", "secret 2"));
      wa.next("SUCCESS");

      assertEquals(401, SERVER.rest.delete("/api/me", null, a.token()).status(), "a local account gives its password");
      assertEquals(401, SERVER.rest.delete("/api/me", new JsonObject().put("password", "wrong-password"), a.token()).status());
      Rest.Response erased = SERVER.rest.delete("/api/me", new JsonObject().put("password", "password-" + a.name()), a.token());
      assertEquals(204, erased.status(), erased.body());
      assertEquals(4401, wa.closeCode());
      assertEquals(4401, pa.closeCode());
      wb.until(f -> "INFO".equals(f.getString("type")) && a.name().equals(f.getString("username")));

      // an erased message is a deleted one: left out for a socket without edit, a tombstone (no text) with it
      assertEquals(List.of(), wb.oneToOneHistory(a.name()));
      try (WsClient withEdit = Extensions.chat(TestServer.clients(), SERVER.chatPort, b, "edit")) {
        List<JsonObject> history = withEdit.oneToOneHistory(a.name());
        assertEquals(1, history.size(), "the row stays: sequences and read positions stay consistent");
        assertTrue(history.get(0).getBoolean("deleted"));
        assertFalse(history.get(0).containsKey("content"));
      }
      wb.send(new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", groupId));
      JsonObject page = wb.until(f -> f.containsKey("messages"));
      assertTrue(page.getJsonArray("messages").stream().map(JsonObject.class::cast)
        .noneMatch(m -> a.name().equals(m.getString("from"))), page.encode());
    }
    assertEquals(401, SERVER.rest.get("/api/me", a.token()).status());
    assertEquals(401, SERVER.rest.post("/api/auth/login", new JsonObject().put("username", a.name())
      .put("password", "password-" + a.name()), null).status());
    assertEquals(409, SERVER.rest.post("/api/auth/register", new JsonObject().put("username", a.name())
      .put("password", "password-123"), null).status(), "the name cannot pass for the erased user");
    assertEquals(404, SERVER.rest.get("/api/admin/users/" + a.name() + "/export", KEY).status());
    assertEquals(List.of(), SERVER.rest.get("/api/groups", b.token()).array().stream().map(JsonObject.class::cast)
      .filter(g -> g.getInteger("memberCount") != 1).toList(), "only b is left in the group");
  }

  @Test
  void theServerSideApiErasesWithoutAPassword() {
    TestServer.User a = SERVER.newUser("ea");
    assertEquals(204, SERVER.rest.delete("/api/admin/users/" + a.name(), null, KEY).status());
    assertEquals(401, SERVER.rest.get("/api/me", a.token()).status());
    assertEquals(404, SERVER.rest.delete("/api/admin/users/nobody_zz", null, KEY).status());
  }
}
