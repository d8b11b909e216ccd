package io.chatpresence.server.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;

/**
 * The signing keys of one issuer, fetched with Vert.x's HTTP client (never blocking the event loop) and kept
 * until a token names a key we do not have: then fetched again, at most once per {@code minRefetchMs}, so a flood
 * of made-up {@code kid}s cannot make us hammer the provider. Only this issuer's tokens are checked against
 * these keys (a key of one issuer never verifies another's). One per verticle instance, used on its event loop.
 */
final class ProviderKeys {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderKeys.class);
  /** The provider's state per issuer, read by readiness ({@code Health}); in the instance's local shared data. */
  public static final String STATUS_MAP = "io.chatpresence.server.auth.provider";
  private static final long HTTP_TIMEOUT_MS = 5_000;
  private static final int MAX_DOCUMENT_BYTES = 1024 * 1024;

  private final Vertx vertx;
  private final ProviderConfig config;
  private final HttpClient http;
  private final LocalMap<String, String> status;
  private JWKSet keys;
  private long lastFetchStartNanos;
  private boolean fetchedOnce;
  private Future<Void> inFlight;

  ProviderKeys(Vertx vertx, ProviderConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) HTTP_TIMEOUT_MS));
    this.status = vertx.sharedData().getLocalMap(STATUS_MAP);
    status.putIfAbsent(config.issuer(), "keys not fetched yet");
  }

  boolean loaded() {
    return keys != null;
  }

  /** The keys that may have signed a token with this header: same kid (when named), type and curve for its alg. */
  List<JWK> candidates(JWSHeader header) {
    if (keys == null) {
      return List.of();
    }
    JWSAlgorithm alg = header.getAlgorithm();
    String kid = header.getKeyID();
    return keys.getKeys().stream()
      .filter(k -> kid == null || kid.equals(k.getKeyID()))
      .filter(k -> k.getKeyUse() == null || KeyUse.SIGNATURE.equals(k.getKeyUse()))
      .filter(k -> k.getAlgorithm() == null || k.getAlgorithm().equals(alg))
      .filter(k -> JWSAlgorithm.RS256.equals(alg) ? KeyType.RSA.equals(k.getKeyType())
        : JWSAlgorithm.ES256.equals(alg) && KeyType.EC.equals(k.getKeyType())
          && Curve.P_256.equals(k.toECKey().getCurve()))
      .toList();
  }

  /**
   * Fetches the keys again unless a fetch started less than {@code minRefetchMs} ago (then fails at once, or
   * joins the fetch still running).
   */
  Future<Void> refresh() {
    if (inFlight != null) {
      return inFlight;
    }
    long now = System.nanoTime();
    if (fetchedOnce && now - lastFetchStartNanos < config.minRefetchMs() * 1_000_000L) {
      return Future.failedFuture("key set fetched less than " + config.minRefetchMs() / 1000 + " s ago");
    }
    fetchedOnce = true;
    lastFetchStartNanos = now;
    Future<Void> fetch = jwksUrl().compose(this::get).map(body -> {
      JWKSet parsed;
      try {
        parsed = JWKSet.parse(body.toString());
      } catch (java.text.ParseException e) {
        throw new IllegalStateException("the key set is not a JWK set: " + e.getMessage());
      }
      keys = parsed;
      return (Void) null;
    });
    inFlight = fetch;
    return fetch.andThen(ar -> {
      inFlight = null;
      if (ar.succeeded()) {
        status.put(config.issuer(), "keys: " + keys.getKeys().size() + ", fetched at " + Instant.now());
        LOG.info("identity provider {}: {} signing keys fetched", config.issuer(), keys.getKeys().size());
      } else {
        String state = (keys == null ? "unavailable: " : "refetch failed (keeping the known keys): ")
          + ar.cause().getMessage();
        status.put(config.issuer(), state);
        LOG.warn("identity provider {}: {}", config.issuer(), state);
      }
    });
  }

  private Future<String> jwksUrl() {
    if (config.jwksUrl() != null) {
      return Future.succeededFuture(config.jwksUrl());
    }
    return get(config.discoveryUrl()).map(body -> {
      JsonObject doc;
      try {
        doc = body.toJsonObject();
      } catch (RuntimeException e) {
        throw new IllegalStateException("the discovery document is not JSON");
      }
      // OpenID Connect Discovery 1.0 §4.3: the document's issuer is exactly the one asked for
      if (!config.issuer().equals(doc.getValue("issuer"))) {
        throw new IllegalStateException("the discovery document names issuer " + doc.getValue("issuer")
          + ", not " + config.issuer());
      }
      if (!(doc.getValue("jwks_uri") instanceof String uri)) {
        throw new IllegalStateException("the discovery document has no jwks_uri");
      }
      return ProviderConfig.checkedUrl("jwks_uri", uri);
    });
  }

  private Future<Buffer> get(String url) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
      .setTimeout(HTTP_TIMEOUT_MS).setFollowRedirects(false).addHeader("Accept", "application/json");
    return http.request(options)
      .compose(req -> req.send())
      .compose(resp -> {
        if (resp.statusCode() != 200) {
          return Future.failedFuture(url + " answered " + resp.statusCode());
        }
        String length = resp.getHeader("Content-Length");
        if (length != null && length.length() < 12 && Long.parseLong(length.trim()) > MAX_DOCUMENT_BYTES) {
          return Future.failedFuture(url + " is over " + MAX_DOCUMENT_BYTES + " bytes");
        }
        return resp.body();
      })
      .compose(body -> body.length() > MAX_DOCUMENT_BYTES
        ? Future.failedFuture(url + " is over " + MAX_DOCUMENT_BYTES + " bytes") : Future.succeededFuture(body))
      .recover(e -> Future.failedFuture(new IllegalStateException(
        e.getMessage() != null && e.getMessage().contains(url) ? e.getMessage() : url + ": " + e)));
  }

  Future<Void> close() {
    return http.close();
  }
}
