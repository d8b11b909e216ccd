package io.chatpresence.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * An OpenID provider's public side for {@code connections}: discovery and JWKS on 127.0.0.1, one RS256 key (as
 * Keycloak signs by default), and access tokens for the bench's users, so that AUTH with a provider token is
 * measured beside AUTH with a built-in one.
 */
final class BenchIdentityProvider {
  static final String AUDIENCE = "chat-presence-bench";
  private final RSAKey key;
  private final HttpServer server;

  BenchIdentityProvider(Vertx vertx) {
    try {
      key = new RSAKeyGenerator(2048).keyID("bench-" + UUID.randomUUID()).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    String jwks = new JWKSet(key.toPublicJWK()).toString();
    server = vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/.well-known/openid-configuration")) {
        req.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("issuer", issuer()).put("jwks_uri", issuer() + "/jwks").encode());
      } else if (req.path().equals("/jwks")) {
        req.response().putHeader("Content-Type", "application/json").end(jwks);
      } else {
        req.response().setStatusCode(404).end();
      }
    });
    Bench.await(server.listen(0, "127.0.0.1"));
  }

  String issuer() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** What the server needs to accept this provider's tokens. */
  JsonObject serverConfig() {
    return new JsonObject().put("OIDC_ISSUER", issuer()).put("JWT_AUDIENCE", AUDIENCE);
  }

  String token(String username) {
    long now = System.currentTimeMillis();
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer()).audience(List.of(AUDIENCE, "account"))
      .subject(UUID.randomUUID().toString()).claim("preferred_username", username).jwtID(UUID.randomUUID().toString())
      .issueTime(new Date(now)).expirationTime(new Date(now + 3_600_000)).build();
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  void close() {
    Bench.await(server.close());
  }
}
