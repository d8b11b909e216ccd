package io.chatpresence.launcher.reliability;

import io.chatpresence.server.testing.JwtForge;
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
  void noAttackIsAccepted() {
    Vertx vertx = Vertx.vertx();
    // full scale: the production work factor, so that the login timings mean something
    TestServer server = new TestServer(vertx, new JsonObject()
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
      vertx.close();
    }
  }
}
