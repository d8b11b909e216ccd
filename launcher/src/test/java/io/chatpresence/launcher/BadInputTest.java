package io.chatpresence.launcher;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.testing.JwtForge;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static io.chatpresence.launcher.ChatSocketTest.direct;
import static io.chatpresence.launcher.ChatSocketTest.history;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every refusal of contract.md: a clear ERROR, nothing stored, the socket still usable. */
@ExtendWith(VertxExtension.class)
class BadInputTest {
  @RegisterExtension
  static final TestServer server = TestServer.perClass(new JsonObject().put(ConfigKeys.MAX_SOCKETS_PER_USER, 3));

  @Test
  void badFramesAfterAuthGetErrorsAndTheSocketStaysOpen() {
    TestServer.User alice = server.newUser("bad");
    TestServer.User bob = server.newUser("bad");
    try (WsClient a = server.chat(alice)) {
      a.sendText("not json");
      assertEquals("BAD_JSON", a.next("ERROR").getString("code"));
      a.sendText("[1,2,3]");
      assertEquals("BAD_JSON", a.next("ERROR").getString("code"));
      a.send(new JsonObject().put("type", "SHOUT"));
      assertEquals("UNKNOWN_TYPE", a.next("ERROR").getString("code"));
      a.send(new JsonObject().put("content", "no type"));
      assertEquals("INVALID", a.next("ERROR").getString("code"));
      a.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("content", "no to").put("clientMsgId", "x1"));
      JsonObject missing = a.next("ERROR");
      assertEquals("INVALID", missing.getString("code"));
      assertEquals("x1", missing.getString("clientMsgId"));
      a.send(direct(bob.name(), "wrong type").put("content", 42));
      assertEquals("INVALID", a.next("ERROR").getString("code"));
      a.send(direct(bob.name(), "   "));
      assertEquals("INVALID", a.next("ERROR").getString("code"));
      a.send(direct(bob.name(), "x".repeat(4001)));
      assertEquals("INVALID", a.next("ERROR").getString("code"));
      a.send(direct(bob.name(), "nul\u0000inside"));
      assertEquals("INVALID", a.next("ERROR").getString("code"), "PostgreSQL text cannot hold NUL: bad input");
      a.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", "nul_" + alice.name()).put("name", "a\u0000b"));
      assertEquals("INVALID", a.next("ERROR").getString("code"));
      a.send(direct(bob.name(), "deep").put("extra", nested(40)));
      assertEquals("INVALID", a.next("ERROR").getString("code"));
      a.send(direct(bob.name(), "y".repeat(70_000)));
      assertEquals("TOO_LARGE", a.next("ERROR").getString("code"));
      a.send(direct(bob.name(), "forged").put("from", bob.name()));
      assertEquals("FORBIDDEN", a.next("ERROR").getString("code"));
      a.send(new JsonObject().put("type", "AUTH").put("token", alice.token()));
      assertEquals("INVALID", a.next("ERROR").getString("code"));

      a.send(history(bob.name()));
      assertEquals(0, a.next("ONE_TO_ONE_CHAT_HISTORY").getJsonArray("messages").size(), "nothing was stored");
      a.send(direct(bob.name(), "x".repeat(4000)));
      a.next("SUCCESS");
      assertFalse(a.isClosed());
    }
  }

  @Test
  void aFrameOverOneMegabyteClosesTheSocket(Vertx vertx) {
    TestServer.User user = server.newUser("huge");
    try (WsClient a = server.chat(user)) {
      a.sendText("{\"type\":\"ONE_TO_ONE_CHAT\",\"content\":\"" + "z".repeat(1_100_000) + "\"}");
      // the server closes with 1009; a client still writing the frame may only see the connection drop (1006)
      short code = a.closeCode();
      assertTrue(code == 1009 || code == 1006, "close code " + code);
    }
    try (WsClient again = server.chat(user)) {
      again.send(new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", "nope_" + user.name()));
      assertEquals("NOT_FOUND", again.next("ERROR").getString("code"));
    }
  }

  @Test
  void overTheRateFramesAreRefusedAndNotActedOn() {
    TestServer.User alice = server.newUser("rate");
    TestServer.User bob = server.newUser("rate");
    try (WsClient a = server.chat(alice)) {
      for (int i = 0; i < 60; i++) {
        a.send(direct(bob.name(), "flood " + i).put("clientMsgId", "f" + i));
      }
      int sent = 0;
      int limited = 0;
      java.util.Set<String> named = new java.util.HashSet<>();
      for (int i = 0; i < 60; i++) {
        JsonObject answer = a.next();
        if ("SUCCESS".equals(answer.getString("type"))) {
          sent++;
        } else if ("RATE_LIMITED".equals(answer.getString("code"))) {
          limited++;
        }
        // every answer, the refusals too, names its frame (refusals are sent at once, ahead of the stores)
        named.add(answer.getString("clientMsgId"));
      }
      assertTrue(limited >= 10, "limited " + limited);
      assertEquals(60, sent + limited);
      java.util.Set<String> all = new java.util.HashSet<>();
      for (int i = 0; i < 60; i++) {
        all.add("f" + i);
      }
      assertEquals(all, named);
    }
  }

  @Test
  void theFirstFrameMustBeAuth(Vertx vertx) {
    try (WsClient c = WsClient.connect(vertx, server.chatPort)) {
      c.send(direct("someone", "hi"));
      assertEquals("AUTH_FAILED", c.next("ERROR").getString("code"));
      assertEquals(4401, c.closeCode());
    }
    try (WsClient c = WsClient.connect(vertx, server.presencePort)) {
      c.sendText("garbage");
      assertEquals("AUTH_FAILED", c.next("ERROR").getString("code"));
      assertEquals(4401, c.closeCode());
    }
  }

  @Test
  void noAuthInTimeClosesWith4408(Vertx vertx) {
    for (int port : new int[] {server.chatPort, server.presencePort}) {
      try (WsClient c = WsClient.connect(vertx, port)) {
        assertEquals("AUTH_FAILED", c.next("ERROR").getString("code"));
        assertEquals(4408, c.closeCode());
      }
    }
  }

  @Test
  void badTokensAreRefusedOnBothServersAndOnRest(Vertx vertx) {
    TestServer.User alice = server.newUser("tok");
    long now = System.currentTimeMillis() / 1000;
    List<String> tokens = new ArrayList<>();
    tokens.add("not.a.token");
    tokens.add("");
    tokens.add(JwtForge.unsigned(JwtForge.claims(alice.name(), now + 3600)));
    tokens.add(JwtForge.hs256(JwtForge.claims(alice.name(), now + 3600), "another-secret-another-secret-xx"));
    tokens.add(JwtForge.hs256(JwtForge.claims(alice.name(), now - 60), TestServer.SECRET));
    tokens.add(JwtForge.hs256(JwtForge.claims(alice.name(), now + 3600).put("nbf", now + 3600), TestServer.SECRET));
    tokens.add(JwtForge.hs256(JwtForge.claims(alice.name(), now + 3600).copy().put("exp", (Object) null), TestServer.SECRET));
    tokens.add(JwtForge.hs256(JwtForge.claims("nobody_" + now, now + 3600), TestServer.SECRET));
    tokens.add(JwtForge.signed(new JsonObject().put("alg", "HS512").put("typ", "JWT"),
      JwtForge.claims(alice.name(), now + 3600), TestServer.SECRET));
    // algorithm confusion: an RS256 header over an HMAC made with the shared secret
    tokens.add(JwtForge.signed(new JsonObject().put("alg", "RS256").put("typ", "JWT"),
      JwtForge.claims(alice.name(), now + 3600), TestServer.SECRET));
    tokens.add(JwtForge.signed(new JsonObject().put("alg", "none").put("typ", "JWT"),
      JwtForge.claims(alice.name(), now + 3600), TestServer.SECRET));
    tokens.add(JwtForge.hs256(JwtForge.claims("bad name!", now + 3600), TestServer.SECRET));
    tokens.add(JwtForge.hs256(JwtForge.claims(alice.name(), now + 3600).put("jti", (Object) null), TestServer.SECRET));
    tokens.add("x".repeat(5000));
    for (String token : tokens) {
      for (int port : new int[] {server.chatPort, server.presencePort}) {
        try (WsClient c = WsClient.connect(vertx, port)) {
          c.send(new JsonObject().put("type", "AUTH").put("token", token));
          assertEquals("AUTH_FAILED", c.next("ERROR").getString("code"), token);
          assertEquals(4401, c.closeCode());
        }
      }
      assertEquals(401, server.rest.get("/api/me", token).status(), token);
    }
    // the forge itself is right: a well-made token with the server's secret passes
    String forgedGood = JwtForge.hs256(JwtForge.claims(alice.name(), now + 3600), TestServer.SECRET);
    assertEquals(200, server.rest.get("/api/me", forgedGood).status());
  }

  @Test
  void overTheSocketLimitTheNewestIsRefusedWith4429() {
    TestServer.User alice = server.newUser("many");
    List<WsClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        open.add(server.chat(alice));
      }
      try (WsClient extra = WsClient.connect(server.vertx, server.chatPort)) {
        extra.send(new JsonObject().put("type", "AUTH").put("token", alice.token()));
        assertEquals("TOO_MANY_SOCKETS", extra.next("ERROR").getString("code"));
        assertEquals(4429, extra.closeCode());
      }
      open.remove(0).close();
      WsClient again = null;
      // the closed socket is no longer counted once the server has seen the close
      for (int attempt = 0; attempt < 50 && again == null; attempt++) {
        WsClient c = WsClient.connect(server.vertx, server.chatPort);
        c.send(new JsonObject().put("type", "AUTH").put("token", alice.token()));
        if ("SUCCESS".equals(c.next().getString("type"))) {
          again = c;
        } else {
          c.closeCode();
          c.close();
        }
      }
      assertTrue(again != null);
      open.add(again);
    } finally {
      open.forEach(WsClient::close);
    }
  }

  private static Object nested(int depth) {
    JsonObject root = new JsonObject();
    JsonObject cur = root;
    for (int i = 0; i < depth; i++) {
      JsonObject child = new JsonObject();
      cur.put("n", child);
      cur = child;
    }
    return root;
  }
}
