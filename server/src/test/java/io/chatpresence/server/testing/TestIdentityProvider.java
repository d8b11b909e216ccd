package io.chatpresence.server.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real OpenID provider's public side, served on loopback by the test: {@code /.well-known/openid-configuration}
 * and its {@code jwks_uri}, with real RSA and EC keys (nimbus-jose-jwt), and tokens signed by them. Keys can be
 * rotated; the key set's fetches are counted.
 */
public final class TestIdentityProvider implements AutoCloseable {
  public static final String AUDIENCE = "chat-presence";

  private final Vertx vertx;
  private final List<JWK> published = new CopyOnWriteArrayList<>();
  private final AtomicInteger jwksFetches = new AtomicInteger();
  private HttpServer server;
  private int port;
  public final RSAKey rsa;
  public final ECKey ec;

  public TestIdentityProvider(Vertx vertx) {
    this.vertx = vertx;
    this.rsa = newRsa();
    this.ec = newEc();
    published.add(rsa.toPublicJWK());
    published.add(ec.toPublicJWK());
  }

  public static RSAKey newRsa() {
    try {
      return new RSAKeyGenerator(2048).keyID("rsa-" + UUID.randomUUID()).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ECKey newEc() {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID("ec-" + UUID.randomUUID()).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Listens on 127.0.0.1 ({@code port} 0: any free port; a fixed one to come back on the same address). */
  public TestIdentityProvider start(int port) {
    server = vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/.well-known/openid-configuration")) {
        req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
          .put("issuer", issuer()).put("jwks_uri", issuer() + "/jwks").encode());
      } else if (req.path().equals("/jwks")) {
        jwksFetches.incrementAndGet();
        req.response().putHeader("Content-Type", "application/json").end(new JWKSet(new ArrayList<>(published)).toString());
      } else {
        req.response().setStatusCode(404).end();
      }
    });
    try {
      server.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    this.port = server.actualPort();
    return this;
  }

  public String issuer() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public int jwksFetches() {
    return jwksFetches.get();
  }

  /** Publishes another key (the provider rotated); tokens it signs name its kid. */
  public void publish(JWK key) {
    published.add(key.toPublicJWK());
  }

  /** The config a server needs to accept this provider's tokens. */
  public JsonObject config() {
    return new JsonObject().put("OIDC_ISSUER", issuer()).put("JWT_AUDIENCE", AUDIENCE);
  }

  /** A token the provider would issue: RS256, for our audience, valid for 5 minutes. */
  public String token(String username) {
    return sign(rsa, JWSAlgorithm.RS256, claims(username).build());
  }

  /** The usual claims, to change before signing. */
  public JWTClaimsSet.Builder claims(String username) {
    long now = System.currentTimeMillis();
    return new JWTClaimsSet.Builder().issuer(issuer()).audience(List.of(AUDIENCE, "account"))
      .subject(UUID.randomUUID().toString()).claim("preferred_username", username)
      .issueTime(new Date(now)).expirationTime(new Date(now + 300_000)).jwtID(UUID.randomUUID().toString());
  }

  public static String sign(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) {
    return sign(key, alg, claims, h -> { });
  }

  public static String sign(JWK key, JWSAlgorithm alg, JWTClaimsSet claims, Consumer<JWSHeader.Builder> header) {
    try {
      JWSHeader.Builder h = new JWSHeader.Builder(alg).keyID(key.getKeyID());
      header.accept(h);
      JWSSigner signer = key instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) key);
      SignedJWT jwt = new SignedJWT(h.build(), claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().join();
    }
  }
}
