package io.chatpresence.server.auth;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.protocol.Names;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * HS256 JWTs keyed with the UTF-8 bytes of {@code JWT_SECRET}. With no secret configured, one is generated
 * once and kept under {@code DATA_DIR}, so tokens survive a restart. Only signature and claims are checked
 * here; {@link Authenticator} adds the database checks (user exists, token not revoked).
 */
public final class Tokens {
  private static final String ALGORITHM = "HS256";

  private final JWTAuth jwt;
  private final long ttlSeconds;

  private Tokens(JWTAuth jwt, long ttlSeconds) {
    this.jwt = jwt;
    this.ttlSeconds = ttlSeconds;
  }

  public static Future<Tokens> create(Vertx vertx, JsonObject config) {
    long ttl = config.getLong(ConfigKeys.JWT_TTL_SECONDS);
    String configured = config.getString(ConfigKeys.JWT_SECRET);
    Future<String> secret = configured != null && !configured.isEmpty()
      ? Future.succeededFuture(configured)
      : vertx.executeBlocking(() -> keptSecret(Path.of(config.getString(ConfigKeys.DATA_DIR), "jwt-secret")), false);
    return secret.map(s -> new Tokens(JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(s))
      .setJWTOptions(new JWTOptions().setAlgorithm(ALGORITHM))), ttl));
  }

  public IssuedToken issue(String username) {
    String jti = UUID.randomUUID().toString();
    Instant now = Instant.now();
    Instant expiresAt = now.plusSeconds(ttlSeconds);
    String token = jwt.generateToken(
      new JsonObject().put("jti", jti),
      new JWTOptions().setAlgorithm(ALGORITHM).setSubject(username).setExpiresInSeconds((int) ttlSeconds));
    return new IssuedToken(token, jti, expiresAt);
  }

  /** Signature, algorithm, expiry and the claims we rely on; fails with a message for any other token. */
  public Future<Claims> verify(String token) {
    if (token == null || token.isEmpty() || token.length() > 4096) {
      return Future.failedFuture("no token");
    }
    Future<io.vertx.ext.auth.User> user;
    try {
      user = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // the library throws on some malformed claims (e.g. "exp": null) instead of failing the future
      return Future.failedFuture("malformed token");
    }
    return user.compose(u -> {
      // the decoded claims; principal() holds only the raw token
      JsonObject p = u.attributes().getJsonObject("accessToken", new JsonObject());
      String sub = p.getString("sub");
      String jti = p.getString("jti");
      Object exp = p.getValue("exp");
      if (!Names.isUsername(sub) || jti == null || !(exp instanceof Number)) {
        return Future.failedFuture("token lacks sub, jti or exp");
      }
      return Future.succeededFuture(new Claims(sub, jti, Instant.ofEpochSecond(((Number) exp).longValue())));
    });
  }

  private static String keptSecret(Path file) throws Exception {
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    }
    Files.createDirectories(file.getParent());
    byte[] random = new byte[48];
    new SecureRandom().nextBytes(random);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    try {
      Files.writeString(file, secret, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return secret;
    } catch (FileAlreadyExistsException raced) {
      // another verticle or node wrote it first: use theirs
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    }
  }
}
