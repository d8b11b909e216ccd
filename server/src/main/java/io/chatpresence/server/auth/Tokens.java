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

import com.nimbusds.jwt.SignedJWT;

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
 * Our own tokens, and the external identity provider's when one is configured ({@link ProviderConfig}). The
 * header's {@code alg} decides which check a token gets, and each check accepts its own algorithms only, so
 * algorithm confusion is impossible: HS256 is checked against {@code JWT_SECRET} alone, RS256/ES256 against the
 * provider's keys alone; any other algorithm (none, HS512, PS256...) is refused.
 *
 * <p>Our own: HS256 JWTs keyed with the UTF-8 bytes of {@code JWT_SECRET}. With no secret configured, one is generated
 * once and kept under {@code DATA_DIR}, so tokens survive a restart. Only signature and claims are checked
 * here; {@link Authenticator} adds the database checks (user exists, token not revoked).
 */
public final class Tokens {
  private static final String ALGORITHM = "HS256";

  /** Our tokens are small; a provider's may carry many roles and groups. */
  private static final int MAX_OWN_TOKEN_CHARS = 4096;
  private static final int MAX_PROVIDER_TOKEN_CHARS = 16 * 1024;

  private final JWTAuth jwt;
  private final long ttlSeconds;
  private final ProviderTokens provider;
  private final byte[] secret;

  private Tokens(JWTAuth jwt, long ttlSeconds, ProviderTokens provider, byte[] secret) {
    this.jwt = jwt;
    this.ttlSeconds = ttlSeconds;
    this.provider = provider;
    this.secret = secret;
  }

  /**
   * A key for another MAC of ours (e.g. SYNC tokens), derived from {@code JWT_SECRET} for one purpose:
   * HMAC-SHA256(secret, purpose). The same on every node; never usable as the JWT key itself.
   */
  public byte[] derivedKey(String purpose) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** The identity provider's issuer, or null without one. */
  public String providerIssuer() {
    return provider == null ? null : provider.issuer();
  }

  /** Releases the provider's HTTP client. */
  public Future<Void> close() {
    return provider == null ? Future.succeededFuture() : provider.close();
  }

  /**
   * With a provider configured, its keys are fetched in the background: an unreachable provider does not stop
   * the start (its tokens are refused with a clear message until a fetch succeeds).
   */
  public static Future<Tokens> create(Vertx vertx, JsonObject config) {
    ProviderConfig providerConfig;
    try {
      providerConfig = ProviderConfig.from(config);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    long ttl = config.getLong(ConfigKeys.JWT_TTL_SECONDS);
    String configured = config.getString(ConfigKeys.JWT_SECRET);
    Future<String> secret = configured != null && !configured.isEmpty()
      ? Future.succeededFuture(configured)
      : vertx.executeBlocking(() -> keptSecret(Path.of(config.getString(ConfigKeys.DATA_DIR), "jwt-secret")), false);
    return secret.map(s -> new Tokens(JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(s))
      .setJWTOptions(new JWTOptions().setAlgorithm(ALGORITHM))), ttl, provider(vertx, providerConfig),
      s.getBytes(StandardCharsets.UTF_8)));
  }

  private static ProviderTokens provider(Vertx vertx, ProviderConfig config) {
    if (config == null) {
      return null;
    }
    ProviderTokens provider = new ProviderTokens(vertx, config);
    provider.start();
    return provider;
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
    if (token == null || token.isEmpty() || token.length() > MAX_PROVIDER_TOKEN_CHARS) {
      return Future.failedFuture("no token");
    }
    String alg = algorithm(token);
    if (ALGORITHM.equals(alg)) {
      return token.length() > MAX_OWN_TOKEN_CHARS ? Future.failedFuture("token too long") : verifyOwn(token);
    }
    if (!"RS256".equals(alg) && !"ES256".equals(alg)) {
      return Future.failedFuture("token algorithm not accepted");
    }
    if (provider == null) {
      return Future.failedFuture(new Authenticator.AuthFailure("no identity provider is configured for " + alg
        + " tokens"));
    }
    SignedJWT parsed;
    try {
      parsed = SignedJWT.parse(token);
    } catch (java.text.ParseException e) {
      return Future.failedFuture("malformed token");
    }
    return provider.verify(parsed, token);
  }

  /** The header's {@code alg}, or null when the token is not three dot-separated parts with a JSON header. */
  private static String algorithm(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || token.indexOf('.', dot + 1) < 0) {
      return null;
    }
    try {
      JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)),
        StandardCharsets.UTF_8));
      return header.getValue("alg") instanceof String s ? s : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private Future<Claims> verifyOwn(String token) {    Future<io.vertx.ext.auth.User> user;
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
      Object iat = p.getValue("iat");
      return Future.succeededFuture(new Claims(sub, jti, Instant.ofEpochSecond(((Number) exp).longValue()), null,
        iat instanceof Number n ? Instant.ofEpochSecond(n.longValue()) : null));
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
