package io.chatpresence.launcher;

import com.nimbusds.jose.JWSAlgorithm;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The external identity provider end to end (contract "External identity provider"): its tokens work at AUTH on
 * both servers and as REST bearer beside built-in accounts; /ready says whether its keys are in; logout revokes
 * a provider token like ours; {@code LOCAL_LOGIN=false} turns off register and login.
 */
class IdentityProviderTest {
  private static Vertx providerVertx;
  private static TestIdentityProvider idp;
  private static TestServer server;

  @BeforeAll
  static void start() {
    providerVertx = Vertx.vertx();
    idp = new TestIdentityProvider(providerVertx).start(0);
    server = TestServer.perClass(idp.config()).start();
  }

  @AfterAll
  static void stop() {
    server.stop();
    TestServer.await(server.vertx.close());
    idp.close();
    TestServer.await(providerVertx.close());
  }

  private static String name() {
    return "oidc_" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void providerTokensWorkOnBothServersAndRestBesideBuiltInAccounts() {
    String carol = name();
    String token = idp.token(carol);
    TestServer.User local = server.newUser("local");
    Rest.Response me = server.rest.get("/api/me", token);
    assertEquals(200, me.status(), me.body());
    assertEquals(carol, me.json().getString("username"));
    try (WsClient chat = WsClient.authenticated(TestServer.clients(), server.chatPort, token);
         WsClient presence = WsClient.authenticated(TestServer.clients(), server.presencePort,
           TestIdentityProvider.sign(idp.ec, JWSAlgorithm.ES256, idp.claims(carol).build()));
         WsClient other = server.chat(local)) {
      chat.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", local.name()).put("content", "hello from sso"));
      chat.next("SUCCESS");
      JsonObject received = other.next("ONE_TO_ONE_CHAT");
      assertEquals(carol, received.getString("from"));
      assertEquals("hello from sso", received.getString("content"));
      assertTrue(!presence.isClosed(), "the presence socket authenticated with the ES256 token");
    }
    // no password: login refuses the provider's account whatever is tried
    assertEquals(401, server.rest.post("/api/auth/login",
      new JsonObject().put("username", carol).put("password", "anything-at-all"), null).status());
  }

  @Test
  void logoutRevokesAProviderToken() {
    String dave = name();
    String token = idp.token(dave);
    assertEquals(200, server.rest.get("/api/me", token).status());
    try (WsClient open = WsClient.authenticated(TestServer.clients(), server.chatPort, token)) {
      assertEquals(204, server.rest.post("/api/auth/logout", null, token).status());
      assertEquals(4401, open.closeCode());
    }
    assertEquals(401, server.rest.get("/api/me", token).status());
    try (WsClient c = WsClient.connect(TestServer.clients(), server.chatPort)) {
      c.send(new JsonObject().put("type", "AUTH").put("token", token));
      JsonObject answer = c.next();
      assertEquals("AUTH_FAILED", answer.getString("code"));
      assertEquals("token revoked", answer.getString("msg"));
    }
  }

  @Test
  void readinessShowsTheProvidersKeys() {
    Rest.Response ready = server.rest.get("/ready", null);
    assertEquals(200, ready.status(), ready.body());
    JsonObject check = ready.json().getJsonArray("checks").stream().map(JsonObject.class::cast)
      .filter(c -> "identity-provider".equals(c.getString("id"))).findFirst().orElseThrow();
    assertTrue(check.getJsonObject("data").getString(idp.issuer()).startsWith("keys: 2"), check.encode());
  }

  @Test
  void withoutLocalLoginRegisterAndLoginAreOffAndTheProviderStillWorks() {
    TestServer ssoOnly = TestServer.perClass(idp.config().put("LOCAL_LOGIN", false)).start();
    try {
      Rest.Response register = ssoOnly.rest.post("/api/auth/register",
        new JsonObject().put("username", name()).put("password", "password-123"), null);
      assertEquals(403, register.status(), register.body());
      assertEquals("FORBIDDEN", register.json().getString("error"));
      assertEquals(403, ssoOnly.rest.post("/api/auth/login",
        new JsonObject().put("username", name()).put("password", "password-123"), null).status());
      String erin = name();
      assertEquals(erin, ssoOnly.rest.get("/api/me", idp.token(erin)).json().getString("username"));
    } finally {
      ssoOnly.stop();
      TestServer.await(ssoOnly.vertx.close());
    }
  }
}
