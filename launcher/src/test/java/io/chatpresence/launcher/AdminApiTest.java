package io.chatpresence.launcher;

import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server-side API (contract "Server-side API") against the running product. */
class AdminApiTest {
  private static final String KEY0 = "admin-key-zero-0123456789abcdef";
  private static final String KEY1 = "admin-key-one-0123456789abcdef";

  @RegisterExtension
  static final TestServer SERVER = TestServer.perClass(new JsonObject().put("ADMIN_API_KEYS", KEY0 + "," + KEY1));

  private static Rest rest() {
    return SERVER.rest;
  }

  @Test
  void keysAreRequiredAndCheckedAndCallsCountedByIndex() {
    assertEquals(401, rest().post("/api/admin/users", new JsonObject().put("username", "nokey_user"), null).status());
    assertEquals(401, rest().post("/api/admin/users", new JsonObject().put("username", "nokey_user"), KEY0 + "x").status());
    TestServer.User user = SERVER.newUser("notadmin");
    assertEquals(401, rest().post("/api/admin/users/" + user.name() + "/revoke", null, user.token()).status(),
      "a user's token is not an admin key");
    assertEquals(404, rest().get("/api/admin/nothing-here", KEY1).status());
    assertEquals(401, rest().get("/api/admin/nothing-here", null).status());
    assertEquals(201, rest().post("/api/admin/users", new JsonObject().put("username", "bykey1_" + System.nanoTime() % 100000), KEY1).status());
    String metrics = rest().get("/metrics", null).body();
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("chatpresence_admin_calls_total{") && l.contains("key=\"1\"")
      && l.contains("status=\"201\"")), metrics);
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("chatpresence_admin_calls_total{") && l.contains("key=\"none\"")
      && l.contains("status=\"401\"")));
    assertFalse(metrics.contains(KEY0) || metrics.contains(KEY1));
  }

  @Test
  void withoutKeysTheWholePrefixIsNotFound() {
    TestServer plain = TestServer.perClass(new JsonObject()).start();
    try {
      assertEquals(404, plain.rest.post("/api/admin/users", new JsonObject().put("username", "someone"), KEY0).status());
      assertEquals(404, plain.rest.put("/api/admin/users/someone/ban", null).status());
      assertEquals(404, plain.rest.get("/api/admin/anything", null).status());
    } finally {
      plain.stop();
      TestServer.await(plain.vertx.close());
    }
  }

  @Test
  void usersAreCreatedWithOrWithoutPassword() {
    String name = "adm_" + System.nanoTime() % 1_000_000;
    Rest.Response created = rest().post("/api/admin/users", new JsonObject().put("username", name).put("password", "password-123"), KEY0);
    assertEquals(201, created.status(), created.body());
    assertEquals(409, rest().post("/api/admin/users", new JsonObject().put("username", name), KEY0).status());
    assertEquals(400, rest().post("/api/admin/users", new JsonObject().put("username", "no spaces"), KEY0).status());
    assertEquals(400, rest().post("/api/admin/users", new JsonObject().put("username", name + "x").put("password", "short"), KEY0).status());
    assertEquals(200, rest().post("/api/auth/login", new JsonObject().put("username", name).put("password", "password-123"), null).status());
    String nopass = name + "_np";
    assertEquals(201, rest().post("/api/admin/users", new JsonObject().put("username", nopass), KEY0).status());
    assertEquals(401, rest().post("/api/auth/login", new JsonObject().put("username", nopass).put("password", "password-123"), null).status());
    assertEquals(413, rest().postRaw("/api/admin/users", "{\"username\":\"" + "x".repeat(70_000) + "\"}", KEY0).status());
  }

  @Test
  void aGroupWithAnUnknownMemberCreatesNothing() {
    TestServer.User a = SERVER.newUser("gm");
    Rest.Response refused = rest().post("/api/admin/groups", new JsonObject().put("name", "never-made")
      .put("members", new JsonArray().add(a.name()).add("nobody_" + System.nanoTime())), KEY0);
    assertEquals(404, refused.status(), refused.body());
    assertTrue(refused.json().getString("message").contains("nobody_"));
    assertEquals(new JsonArray(), rest().get("/api/groups", a.token()).array());
    assertEquals(400, rest().post("/api/admin/groups", new JsonObject().put("name", "g").put("members", new JsonArray().add(42)), KEY0).status());
  }

  @Test
  void groupsMembersAndMessagesGoThroughTheChatPath() {
    TestServer.User a = SERVER.newUser("ga");
    TestServer.User b = SERVER.newUser("gb");
    TestServer.User c = SERVER.newUser("gc");
    try (WsClient wa = SERVER.chat(a); WsClient wb = SERVER.chat(b); WsClient wc = SERVER.chat(c)) {
      Rest.Response group = rest().post("/api/admin/groups", new JsonObject().put("name", "project x")
        .put("members", new JsonArray().add(a.name()).add(b.name()).add(a.name())), KEY0);
      assertEquals(201, group.status(), group.body());
      String groupId = group.json().getString("groupId");
      assertEquals(List.of(a.name(), b.name()), group.json().getJsonArray("members").getList());
      wb.until(f -> "INFO".equals(f.getString("type")) && a.name().equals(f.getString("username")));

      assertEquals(204, rest().put("/api/admin/groups/" + groupId + "/members/" + c.name(), KEY0).status());
      JsonObject joined = wa.until(f -> "INFO".equals(f.getString("type")) && c.name().equals(f.getString("username")));
      assertEquals("JOINED", joined.getString("event", joined.getString("code", "JOINED")));
      wc.until(f -> "INFO".equals(f.getString("type")) && c.name().equals(f.getString("username")));
      assertEquals(404, rest().put("/api/admin/groups/nosuchgroup/members/" + c.name(), KEY0).status());
      assertEquals(404, rest().put("/api/admin/groups/" + groupId + "/members/nobody_zz", KEY0).status());

      Rest.Response sent = rest().post("/api/admin/messages", new JsonObject().put("from", a.name())
        .put("groupId", groupId).put("content", "kick-off at 10"), KEY0);
      assertEquals(201, sent.status(), sent.body());
      assertTrue(sent.json().containsKey("messageId"));
      for (WsClient w : List.of(wa, wb, wc)) {
        JsonObject m = w.until(f -> "GROUP_CHAT".equals(f.getString("type")));
        assertEquals("kick-off at 10", m.getString("content"));
        assertEquals(a.name(), m.getString("from"));
      }
      Rest.Response direct = rest().post("/api/admin/messages", new JsonObject().put("from", b.name())
        .put("to", c.name()).put("content", "hi c"), KEY0);
      assertEquals(201, direct.status(), direct.body());
      assertEquals("hi c", wc.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type"))).getString("content"));
      assertEquals(b.name(), wc.oneToOneHistory(b.name()).get(0).getString("from"), "stored like any message");
      assertEquals(404, rest().post("/api/admin/messages", new JsonObject().put("from", b.name())
        .put("to", "nobody_zz").put("content", "x"), KEY0).status());
      assertEquals(400, rest().post("/api/admin/messages", new JsonObject().put("from", b.name())
        .put("to", c.name()).put("groupId", groupId).put("content", "x"), KEY0).status());
      assertEquals(400, rest().post("/api/admin/messages", new JsonObject().put("from", b.name())
        .put("to", c.name()).put("content", "x".repeat(4001)), KEY0).status());

      assertEquals(204, rest().delete("/api/admin/groups/" + groupId + "/members/" + b.name(), null, KEY0).status());
      wa.until(f -> "INFO".equals(f.getString("type")) && b.name().equals(f.getString("username"))
        && f.encode().contains("left"));
      assertEquals(403, rest().post("/api/admin/messages", new JsonObject().put("from", b.name())
        .put("groupId", groupId).put("content", "x"), KEY0).status());
      assertEquals(403, rest().delete("/api/admin/groups/" + groupId + "/members/" + b.name(), null, KEY0).status());
    }
  }

  @Test
  void revokeEndsEverySessionAndEveryEarlierToken() {
    TestServer.User u = SERVER.newUser("rv");
    try (WsClient chat = SERVER.chat(u); WsClient presence = SERVER.presence(u)) {
      assertEquals(204, rest().post("/api/admin/users/" + u.name() + "/revoke", null, KEY0).status());
      assertEquals(4401, chat.closeCode());
      assertEquals(4401, presence.closeCode());
    }
    assertEquals(401, rest().get("/api/me", u.token()).status());
    assertEquals(404, rest().post("/api/admin/users/nobody_zz/revoke", null, KEY0).status());
    // a new login works once the revoke's second has passed (iat is in whole seconds)
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      String fresh = rest().post("/api/auth/login", new JsonObject().put("username", u.name())
        .put("password", "password-" + u.name()), null).json().getString("token");
      return rest().get("/api/me", fresh).status() == 200;
    });
  }

  @Test
  void aBannedUserCanNeitherAuthNorUseRestUntilUnbanned() {
    TestServer.User u = SERVER.newUser("bn");
    try (WsClient chat = SERVER.chat(u)) {
      assertEquals(204, rest().put("/api/admin/users/" + u.name() + "/ban", KEY0).status());
      assertEquals(4401, chat.closeCode());
    }
    Rest.Response me = rest().get("/api/me", u.token());
    assertEquals(401, me.status());
    assertTrue(me.body().contains("banned"), me.body());
    try (WsClient c = WsClient.connect(TestServer.clients(), SERVER.presencePort)) {
      c.send(new JsonObject().put("type", "AUTH").put("token", u.token()));
      assertEquals("account banned", c.next().getString("msg"));
    }
    assertEquals(204, rest().delete("/api/admin/users/" + u.name() + "/ban", null, KEY0).status());
    assertEquals(200, rest().get("/api/me", u.token()).status());
    assertEquals(404, rest().put("/api/admin/users/nobody_zz/ban", KEY0).status());
  }
}
