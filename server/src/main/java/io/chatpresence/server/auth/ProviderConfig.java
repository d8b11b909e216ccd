package io.chatpresence.server.auth;

import io.chatpresence.server.config.ConfigKeys;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.Locale;

/**
 * The external identity provider's settings: {@code OIDC_ISSUER} (its discovery document names the key set), or
 * {@code JWKS_URL} with {@code JWT_ISSUER}; {@code JWT_AUDIENCE}; the username claim. Plain http only for
 * loopback hosts, so keys cannot be swapped on the wire.
 *
 * @param discoveryUrl the OpenID discovery document, or null when the key set's address is configured
 * @param jwksUrl the key set's address when configured, else null (read from discovery)
 */
public record ProviderConfig(String issuer, String discoveryUrl, String jwksUrl, String audience,
                             String usernameClaim, long minRefetchMs) {
  public static final String DISCOVERY_PATH = "/.well-known/openid-configuration";

  /** Null when no provider is configured; throws {@link IllegalArgumentException} for an unusable setting. */
  public static ProviderConfig from(JsonObject cfg) {
    String oidcIssuer = blankToNull(cfg.getString(ConfigKeys.OIDC_ISSUER));
    String jwksUrl = blankToNull(cfg.getString(ConfigKeys.JWKS_URL));
    String jwtIssuer = blankToNull(cfg.getString(ConfigKeys.JWT_ISSUER));
    if (oidcIssuer == null && jwksUrl == null) {
      return null;
    }
    String audience = blankToNull(cfg.getString(ConfigKeys.JWT_AUDIENCE));
    if (audience == null) {
      throw new IllegalArgumentException(ConfigKeys.JWT_AUDIENCE + " is required with an identity provider: "
        + "without it a token the provider issued for any other application would be accepted");
    }
    String claim = cfg.getString(ConfigKeys.JWT_USERNAME_CLAIM, "preferred_username");
    long minRefetch = cfg.getLong(ConfigKeys.JWKS_MIN_REFETCH_MS, 30_000L);
    if (jwksUrl != null) {
      String issuer = jwtIssuer != null ? jwtIssuer : oidcIssuer;
      if (issuer == null) {
        throw new IllegalArgumentException(ConfigKeys.JWKS_URL + " needs " + ConfigKeys.JWT_ISSUER);
      }
      return new ProviderConfig(issuer, null, checkedUrl(ConfigKeys.JWKS_URL, jwksUrl), audience, claim, minRefetch);
    }
    if (jwtIssuer != null && !jwtIssuer.equals(oidcIssuer)) {
      throw new IllegalArgumentException(ConfigKeys.JWT_ISSUER + " differs from " + ConfigKeys.OIDC_ISSUER);
    }
    String base = oidcIssuer.endsWith("/") ? oidcIssuer.substring(0, oidcIssuer.length() - 1) : oidcIssuer;
    checkedUrl(ConfigKeys.OIDC_ISSUER, oidcIssuer);
    return new ProviderConfig(oidcIssuer, base + DISCOVERY_PATH, null, audience, claim, minRefetch);
  }

  /** An absolute https URL, or http to a loopback host. */
  static String checkedUrl(String what, String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not a URL: " + url);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
      throw new IllegalArgumentException(what + " must be an absolute https URL: " + url);
    }
    if (scheme.equals("http") && !isLoopback(uri.getHost())) {
      throw new IllegalArgumentException(what + " must use https (plain http only for loopback addresses): " + url);
    }
    return url;
  }

  /** By name, without a DNS lookup: localhost, 127.0.0.0/8, ::1. */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
      || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
