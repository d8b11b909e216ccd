package io.chatpresence.launcher.reliability;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.SignedJWT;
import io.chatpresence.server.testing.JwtForge;
import io.chatpresence.server.testing.TestIdentityProvider;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.WsClient;
import io.chatpresence.launcher.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Token and authorization attacks on both servers and the REST API: how many were accepted (goal 0). */
class AuthAttackReliabilityIT {

  @Test
  void noAttackIsAccepted() throws Exception {
    Vertx vertx = Vertx.vertx();
    // an external identity provider beside our own tokens: its tokens are attacked too
    TestIdentityProvider idp = new TestIdentityProvider(vertx).start(0);
    // full scale: the production work factor, so that the login timings mean something
    TestServer server = new TestServer(vertx, idp.config()
      .put("PASSWORD_ITERATIONS", Figures.size(1_000, 210_000))).start();
    try {
      TestServer.User alice = server.newUser("victim");
      TestServer.User bob = server.newUser("victim");
      TestServer.User mallory = server.newUser("attacker");
      long now = System.currentTimeMillis() / 1000;
      Map<String, String> tokens = new LinkedHashMap<>();
      tokens.put("alg none", JwtForge.unsigned(JwtForge.claims(alice.name(), now + 3600)));
      tokens.put("another key", JwtForge.hs256(JwtForge.claims(alice.name(), now + 3600), "not-the-server-secret-0123456789"));
      tokens.put("RS256 header, HMAC body", JwtForge.signed(new JsonObject().put("alg", "RS256"),
        JwtForge.claims(alice.name(), now + 3600), TestServer.SECRET));
      tokens.put("HS512 swap", JwtForge.signed(new JsonObject().put("alg", "HS512"),
        JwtForge.claims(alice.name(), now + 3600), TestServer.SECRET));
      tokens.put("expired", JwtForge.hs256(JwtForge.claims(alice.name(), now - 10), TestServer.SECRET));
      tokens.put("not yet valid", JwtForge.hs256(JwtForge.claims(alice.name(), now + 7200).put("nbf", now + 3600), TestServer.SECRET));
      tokens.put("no exp", JwtForge.hs256(new JsonObject().put("sub", alice.name()).put("jti", "j"), TestServer.SECRET));
      tokens.put("malformed", "eyJhbGciOiJIUzI1NiJ9.bm9wZQ");
      tokens.put("unknown user", JwtForge.hs256(JwtForge.claims("deleted_" + now, now + 3600), TestServer.SECRET));
      String revoked = server.rest.post("/api/auth/login",
        new JsonObject().put("username", bob.name()).put("password", "password-" + bob.name()), null).json().getString("token");
      server.rest.post("/api/auth/logout", null, revoked);
      tokens.put("revoked", revoked);
      providerAttacks(idp, server, tokens, alice.name(), now);

      int attempts = 0;
      List<String> accepted = new ArrayList<>();
      for (Map.Entry<String, String> t : tokens.entrySet()) {
        for (int port : new int[] {server.chatPort, server.presencePort}) {
          attempts++;
          try (WsClient c = WsClient.connect(vertx, port)) {
            c.send(new JsonObject().put("type", "AUTH").put("token", t.getValue()));
            if (!"ERROR".equals(c.next().getString("type"))) {
              accepted.add(t.getKey() + " on " + port);
            }
          }
        }
        attempts++;
        if (server.rest.get("/api/me", t.getValue()).status() != 401) {
          accepted.add(t.getKey() + " on REST");
        }
      }
      // authorization: acting as someone else, reading others' conversations
      try (WsClient a = server.chat(alice); WsClient m = server.chat(mallory)) {
        a.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", bob.name()).put("content", "private"));
        String chatId = a.next("SUCCESS").getString("chatId");
        a.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", "private_" + alice.name()));
        a.next("SUCCESS");
        List<JsonObject> attacks = List.of(
          new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("from", alice.name()).put("to", bob.name()).put("content", "x"),
          new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", bob.name()).put("chatId", chatId).put("content", "x"),
          new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("chatId", chatId),
          new JsonObject().put("type", "GROUP_CHAT").put("groupId", "private_" + alice.name()).put("content", "x"),
          new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", "private_" + alice.name()),
          new JsonObject().put("type", "JOIN_GROUP").put("groupId", "private_" + alice.name()).put("username", alice.name()),
          new JsonObject().put("type", "LEAVE_GROUP").put("groupId", "private_" + alice.name()).put("username", alice.name()));
        for (JsonObject attack : attacks) {
          attempts++;
          m.send(attack);
          JsonObject answer = m.next();
          if (!"ERROR".equals(answer.getString("type"))) {
            accepted.add(attack.encode());
          }
        }
      }
      for (String path : new String[] {"/api/me", "/api/users?q=a", "/api/chats", "/api/groups"}) {
        attempts++;
        if (server.rest.get(path, null).status() != 401) {
          accepted.add("no bearer on " + path);
        }
      }

      // login must not tell whether a user exists: same body, similar time
      int samples = Figures.size(20, 200);
      long[] unknown = new long[samples];
      long[] wrong = new long[samples];
      Rest rest = server.rest;
      for (int i = 0; i < samples; i++) {
        long t0 = System.nanoTime();
        rest.post("/api/auth/login", new JsonObject().put("username", "nobody_" + i).put("password", "guess-123"), null);
        unknown[i] = System.nanoTime() - t0;
        t0 = System.nanoTime();
        rest.post("/api/auth/login", new JsonObject().put("username", alice.name()).put("password", "guess-123"), null);
        wrong[i] = System.nanoTime() - t0;
      }
      Arrays.sort(unknown);
      Arrays.sort(wrong);
      new Figures("auth attacks").put("attempts", attempts).put("accepted", accepted.size())
        .put("login_unknown_user_median_ms", String.format("%.2f", Figures.percentile(unknown, 0.5)))
        .put("login_wrong_password_median_ms", String.format("%.2f", Figures.percentile(wrong, 0.5)))
        .put("password_iterations_in_this_run", server.config.getInteger("PASSWORD_ITERATIONS")).report();
      assertEquals(List.of(), accepted);
    } finally {
      server.stop();
      idp.close();
      vertx.close();
    }
  }

  /** The identity provider's tokens, each wrong in one way (one of them is a local user's name). */
  private static void providerAttacks(TestIdentityProvider idp, TestServer server, Map<String, String> tokens,
                                      String localUser, long now) throws Exception {
    String name = "sso_" + now;
    java.util.Date past = new java.util.Date((now - 60) * 1000);
    tokens.put("provider: HS256 keyed with its public key", hs256(idp.rsa.toRSAPublicKey().getEncoded(), idp.claims(name).build()));
    tokens.put("provider: HS256 keyed with its JWK", hs256(idp.rsa.toPublicJWK().toJSONString().getBytes(), idp.claims(name).build()));
    tokens.put("provider: another RSA key under its kid", TestIdentityProvider.sign(
      new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID(idp.rsa.getKeyID()).generate(), JWSAlgorithm.RS256, idp.claims(name).build()));
    tokens.put("provider: another EC key under its kid", TestIdentityProvider.sign(TestIdentityProvider.newEc(), JWSAlgorithm.ES256,
      idp.claims(name).build(), h -> h.keyID(idp.ec.getKeyID())));
    tokens.put("provider: unknown kid", TestIdentityProvider.sign(TestIdentityProvider.newRsa(), JWSAlgorithm.RS256, idp.claims(name).build()));
    tokens.put("provider: other audience", sign(idp, idp.claims(name).audience("another-app").build()));
    tokens.put("provider: other issuer", sign(idp, idp.claims(name).issuer("http://127.0.0.1:9").build()));
    tokens.put("provider: expired beyond the skew", sign(idp, idp.claims(name).expirationTime(past).build()));
    tokens.put("provider: not yet valid", sign(idp, idp.claims(name).notBeforeTime(new java.util.Date((now + 120) * 1000)).build()));
    tokens.put("provider: no exp", sign(idp, idp.claims(name).expirationTime(null).build()));
    tokens.put("provider: invalid username", sign(idp, idp.claims("bad name!").build()));
    tokens.put("provider: no username claim", sign(idp, idp.claims(name).claim("preferred_username", null).build()));
    tokens.put("provider: a local account's name", sign(idp, idp.claims(localUser).build()));
    tokens.put("provider: RS512", TestIdentityProvider.sign(idp.rsa, JWSAlgorithm.RS512, idp.claims(name).build()));
    String good = idp.token(name);
    String[] parts = good.split("\\.");
    tokens.put("provider: alg none", JwtForge.unsigned(new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(parts[1])))));
    tokens.put("provider: other claims under its signature", parts[0] + "."
      + idp.token("sso_other_" + now).split("\\.")[1] + "." + parts[2]);
    server.rest.post("/api/auth/logout", null, good);
    tokens.put("provider: revoked", good);
  }

  private static String sign(TestIdentityProvider idp, com.nimbusds.jwt.JWTClaimsSet claims) {
    return TestIdentityProvider.sign(idp.rsa, JWSAlgorithm.RS256, claims);
  }

  private static String hs256(byte[] secret, com.nimbusds.jwt.JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).build(), claims);
    jwt.sign(new MACSigner(secret));
    return jwt.serialize();
  }
}
