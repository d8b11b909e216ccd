package io.chatpresence.server.testing;

import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Hand-made JWTs for attack tests: any header, any claims, any key. */
public final class JwtForge {
  private JwtForge() {
  }

  public static String hs256(JsonObject claims, String secret) {
    return signed(new JsonObject().put("alg", "HS256").put("typ", "JWT"), claims, secret);
  }

  public static String signed(JsonObject header, JsonObject claims, String secret) {
    String unsigned = b64(header.encode()) + "." + b64(claims.encode());
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return unsigned + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal(unsigned.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String unsigned(JsonObject claims) {
    return b64(new JsonObject().put("alg", "none").put("typ", "JWT").encode()) + "." + b64(claims.encode()) + ".";
  }

  public static JsonObject claims(String sub, long expEpochSeconds) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", sub).put("iat", now).put("exp", expEpochSeconds)
      .put("jti", java.util.UUID.randomUUID().toString());
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
