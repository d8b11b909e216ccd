package io.chatpresence.launcher;

import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static io.chatpresence.launcher.Syncs.join;
import static io.chatpresence.launcher.Syncs.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every path that changes a membership is an event of SYNC: the server-side API's group creation, adding and
 * removing a member, and the personal-data erasure (which leaves every group).
 */
class SyncMembershipPathsTest {
  private static final String KEY = "sync-membership-admin-key-0123456789";

  @RegisterExtension
  static final TestServer SERVER = TestServer.perClass(new JsonObject().put("ADMIN_API_KEYS", KEY));

  @Test
  void adminCreationAddRemoveAndErasureComeAsInfoInOrder() {
    TestServer.User a = SERVER.newUser("ma");
    TestServer.User b = SERVER.newUser("mb");
    TestServer.User c = SERVER.newUser("mc");
    TestServer.User d = SERVER.newUser("md");
    Rest rest = SERVER.rest;
    try (WsClient aSync = Extensions.chat(TestServer.clients(), SERVER.chatPort, a, "sync"); WsClient dWs = SERVER.chat(d)) {
      String since = Syncs.now(aSync);
      Rest.Response group = rest.post("/api/admin/groups", new JsonObject().put("name", "paths")
        .put("members", new JsonArray().add(a.name()).add(b.name())), KEY);
      assertEquals(201, group.status(), group.body());
      String groupId = group.json().getString("groupId");
      assertEquals(204, rest.put("/api/admin/groups/" + groupId + "/members/" + c.name(), KEY).status());
      assertEquals(204, rest.delete("/api/admin/groups/" + groupId + "/members/" + b.name(), null, KEY).status());
      ok(dWs, join(groupId));
      assertEquals(204, rest.delete("/api/me", new JsonObject().put("password", "password-" + d.name()), d.token()).status());

      Syncs.Collected got = Syncs.until(aSync, since, null, e -> e.size() >= 6);
      List<String> seen = got.events().stream().map(f -> f.getString("event") + " " + f.getString("username")).toList();
      assertEquals(List.of("JOINED " + a.name(), "JOINED " + b.name(), "JOINED " + c.name(), "LEFT " + b.name(),
        "JOINED " + d.name(), "LEFT " + d.name()), seen);
      got.events().forEach(f -> assertEquals(groupId, f.getString("groupId")));
    }
  }
}
