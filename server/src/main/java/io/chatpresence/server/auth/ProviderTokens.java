package io.chatpresence.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import io.chatpresence.protocol.Names;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * Tokens of the external identity provider: RS256 or ES256, signed by one of its keys ({@link ProviderKeys}),
 * {@code iss} exactly the provider's, {@code aud} containing ours, {@code exp} in the future and {@code nbf} in
 * the past with {@value #CLOCK_SKEW_SECONDS} s of skew, and a valid username in the configured claim.
 */
final class ProviderTokens {
  static final int CLOCK_SKEW_SECONDS = 30;

  private final ProviderConfig config;
  private final ProviderKeys keys;
  private final DefaultJWTClaimsVerifier<?> claimsVerifier;

  ProviderTokens(Vertx vertx, ProviderConfig config) {
    this.config = config;
    this.keys = new ProviderKeys(vertx, config);
    this.claimsVerifier = new DefaultJWTClaimsVerifier<>(java.util.Collections.singleton(config.audience()),
      new JWTClaimsSet.Builder().issuer(config.issuer()).build(), new java.util.HashSet<>(List.of("exp", config.usernameClaim())), null);
    this.claimsVerifier.setMaxClockSkew(CLOCK_SKEW_SECONDS);
  }

  String issuer() {
    return config.issuer();
  }

  /** The first fetch; its failure leaves the provider's tokens refused until a later fetch succeeds. */
  Future<Void> start() {
    return keys.refresh().otherwiseEmpty();
  }

  Future<Void> close() {
    return keys.close();
  }

  /** {@code jwt} has already been parsed and its algorithm is RS256 or ES256. */
  Future<Claims> verify(SignedJWT jwt, String token) {
    List<JWK> candidates = keys.candidates(jwt.getHeader());
    if (!candidates.isEmpty()) {
      return checked(jwt, token, candidates);
    }
    // an unknown kid: the provider may have rotated its keys
    return keys.refresh().transform(ar -> {
      List<JWK> again = keys.candidates(jwt.getHeader());
      if (!again.isEmpty()) {
        return checked(jwt, token, again);
      }
      return Future.failedFuture(new Authenticator.AuthFailure(keys.loaded()
        ? "token signed by an unknown key of the identity provider"
        : "the identity provider's keys are not available yet, try again later"));
    });
  }

  private Future<Claims> checked(SignedJWT jwt, String token, List<JWK> candidates) {
    if (!verifiedByAny(jwt, candidates)) {
      return Future.failedFuture(new Authenticator.AuthFailure("invalid token signature"));
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
      claimsVerifier.verify(claims, null);
    } catch (java.text.ParseException e) {
      return Future.failedFuture(new Authenticator.AuthFailure("malformed token claims"));
    } catch (BadJWTException e) {
      return Future.failedFuture(new Authenticator.AuthFailure("token refused: " + e.getMessage()));
    }
    Object username = claims.getClaim(config.usernameClaim());
    if (!(username instanceof String name) || !Names.isUsername(name)) {
      return Future.failedFuture(new Authenticator.AuthFailure("the token's " + config.usernameClaim()
        + " is not a valid username (3 to 32 of A-Z a-z 0-9 _ . -)"));
    }
    // logout revokes by jti; a provider token without one is named by its hash
    String jti = claims.getJWTID() != null ? "oidc:" + claims.getJWTID() : "oidc-sha256:" + sha256(token);
    return Future.succeededFuture(new Claims(name, jti, claims.getExpirationTime().toInstant(), config.issuer(),
      claims.getIssueTime() == null ? null : claims.getIssueTime().toInstant()));
  }

  private static boolean verifiedByAny(SignedJWT jwt, List<JWK> candidates) {
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    for (JWK key : candidates) {
      try {
        JWSVerifier verifier = JWSAlgorithm.RS256.equals(alg)
          ? new RSASSAVerifier(key.toRSAKey()) : new ECDSAVerifier(key.toECKey());
        if (jwt.verify(verifier)) {
          return true;
        }
      } catch (JOSEException | IllegalStateException e) {
        // an unusable key (e.g. an RSA key under 2048 bits): try the next
      }
    }
    return false;
  }

  private static String sha256(String token) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
