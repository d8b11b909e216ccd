package io.chatpresence.launcher;

import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.TestIdentityProvider;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two clustered nodes (real Hazelcast on loopback), each with chat and presence: a revoke, a ban or an erasure
 * made through node A's server-side API closes the user's sockets on node B with 4401 and B refuses the user's
 * tokens; a provider token works on both nodes.
 */
class ClusterAdminTest {
  private static final String CLUSTER = "chat-test-" + UUID.randomUUID();
  private static final String KEY = "cluster-admin-key-0123456789abcdef";
  private static Vertx providerVertx;
  private static TestIdentityProvider idp;
  private static ClusterNode a;
  private static ClusterNode b;
  private static Rest restA;
  private static Rest restB;
  private static int users;

  @BeforeAll
  static void formCluster() {
    providerVertx = Vertx.vertx();
    idp = new TestIdentityProvider(providerVertx).start(0);
    JsonObject cfg = idp.config().put("ADMIN_API_KEYS", KEY);
    a = ClusterNode.join(CLUSTER).withChat(cfg).withPresence(cfg);
    b = ClusterNode.join(CLUSTER).withChat(cfg).withPresence(cfg);
    assertEquals(2, a.clusterManager.getNodes().size());
    restA = new Rest(a.chatPort);
    restB = new Rest(b.chatPort);
  }

  @AfterAll
  static void leave() {
    for (ClusterNode n : new ClusterNode[] {b, a}) {
      if (n != null) {
        n.close();
      }
    }
    idp.close();
    TestServer.await(providerVertx.close());
  }

  private static TestServer.User user(String prefix) {
    String name = prefix + "_" + CLUSTER.substring(11, 17) + "_" + (++users);
    return new TestServer.User(name, restA.register(name, "password-" + name));
  }

  private static String authAnswer(int port, String token) {
    try (WsClient c = WsClient.connect(TestServer.clients(), port)) {
      c.send(new JsonObject().put("type", "AUTH").put("token", token));
      return c.next().getString("msg");
    }
  }

  @Test
  void aRevokeOnOneNodeEndsTheSessionsOnTheOther() {
    TestServer.User u = user("crv");
    try (WsClient chatB = WsClient.authenticated(TestServer.clients(), b.chatPort, u.token());
         WsClient presenceB = WsClient.authenticated(TestServer.clients(), b.presencePort, u.token())) {
      assertEquals(204, restA.post("/api/admin/users/" + u.name() + "/revoke", null, KEY).status());
      assertEquals(4401, chatB.closeCode());
      assertEquals(4401, presenceB.closeCode());
    }
    assertEquals(401, restB.get("/api/me", u.token()).status());
    assertEquals("token revoked: all sessions of this user were ended", authAnswer(b.presencePort, u.token()));
  }

  @Test
  void aBanOnOneNodeEndsTheSessionsOnTheOther() {
    TestServer.User u = user("cbn");
    try (WsClient chatB = WsClient.authenticated(TestServer.clients(), b.chatPort, u.token())) {
      assertEquals(204, restA.put("/api/admin/users/" + u.name() + "/ban", KEY).status());
      assertEquals(4401, chatB.closeCode());
    }
    assertEquals("account banned", authAnswer(b.chatPort, u.token()));
    assertEquals(204, restB.delete("/api/admin/users/" + u.name() + "/ban", null, KEY).status());
    assertEquals(200, restA.get("/api/me", u.token()).status());
  }

  @Test
  void anErasureOnOneNodeEndsTheSessionsOnTheOther() {
    TestServer.User u = user("cer");
    try (WsClient chatB = WsClient.authenticated(TestServer.clients(), b.chatPort, u.token());
         WsClient presenceB = WsClient.authenticated(TestServer.clients(), b.presencePort, u.token())) {
      assertEquals(204, restA.delete("/api/admin/users/" + u.name(), null, KEY).status());
      assertEquals(4401, chatB.closeCode());
      assertEquals(4401, presenceB.closeCode());
    }
    assertEquals("account erased", authAnswer(b.chatPort, u.token()));
  }

  @Test
  void aProviderTokenWorksOnEveryNodeAndServer() {
    String name = "csso_" + CLUSTER.substring(11, 17);
    String token = idp.token(name);
    try (WsClient chatA = WsClient.authenticated(TestServer.clients(), a.chatPort, token);
         WsClient chatB = WsClient.authenticated(TestServer.clients(), b.chatPort, token);
         WsClient presenceB = WsClient.authenticated(TestServer.clients(), b.presencePort, token)) {
      assertEquals(name, restB.get("/api/me", token).json().getString("username"));
      assertEquals(name, restA.get("/api/me", token).json().getString("username"));
    }
  }
}
