package io.chatpresence.server.auth;

import io.chatpresence.server.config.ConfigKeys;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokensTest {
  private static Vertx vertx;
  private static Tokens tokens;

  @BeforeAll
  static void setUp() throws Exception {
    vertx = Vertx.vertx();
    JsonObject config = ConfigKeys.defaults().put(ConfigKeys.JWT_SECRET, "test-secret-0123456789-abcdefghij");
    tokens = Tokens.create(vertx, config).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void tearDown() {
    vertx.close();
  }

  private static boolean accepted(String token) throws Exception {
    try {
      tokens.verify(token).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return true;
    } catch (java.util.concurrent.ExecutionException e) {
      return false;
    }
  }

  @Test
  void issuedTokenVerifiesWithItsClaims() throws Exception {
    IssuedToken issued = tokens.issue("alice");
    Claims claims = tokens.verify(issued.token()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals("alice", claims.username());
    assertEquals(issued.jti(), claims.jti());
    assertEquals(issued.expiresAt().getEpochSecond(), claims.expiresAt().getEpochSecond());
  }

  @Test
  void unsignedAndForeignTokensAreRefused() throws Exception {
    String good = tokens.issue("alice").token();
    String[] parts = good.split("\\.");
    String noneHeader = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    assertFalse(accepted(noneHeader + "." + parts[1] + "."));
    assertFalse(accepted(parts[0] + "." + parts[1] + ".AAAA"));
    assertFalse(accepted("not-a-token"));
    assertFalse(accepted(null));
    assertTrue(accepted(good));
  }

  static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
