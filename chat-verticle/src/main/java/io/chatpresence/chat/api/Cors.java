package io.chatpresence.chat.api;

import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.server.web.HttpSupport;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * CORS for the REST API, so that a front-end app served from another origin (a Vite dev server, a CDN) can call
 * it: {@code CORS_ALLOWED_ORIGINS} is a comma-separated list of origins ({@code https://app.example.com}) or
 * {@code *}. Unset or empty: nothing is mounted and the API stays same-origin only, as before. Mounted in front
 * of every {@code /api/} route, so that preflights are answered before any authentication; a request from an
 * origin not on the list is refused with 403 before it reaches the API. The page's own origin (the request's
 * Host) always passes: browsers send {@code Origin} on same-origin POSTs too. The API takes bearer tokens, not
 * cookies, so no credentials are allowed.
 */
public final class Cors {
  static final Set<String> HEADERS = Set.of("Authorization", "Content-Type", "Accept");
  static final Set<HttpMethod> METHODS = Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE,
    HttpMethod.OPTIONS);
  private static final int MAX_AGE_SECONDS = 600;

  private final List<String> origins;
  private final CorsHandler handler;

  private Cors(List<String> origins) {
    this.origins = origins;
    this.handler = CorsHandler.create().addOrigins(origins).allowedHeaders(HEADERS).allowedMethods(METHODS)
      .maxAgeSeconds(MAX_AGE_SECONDS);
  }

  /** Mounts CORS on {@code /api/*} when the setting names origins; {@code setting} is a String or a JSON array. */
  public static void mount(Router router, Object setting) {
    List<String> origins = parse(setting);
    if (!origins.isEmpty()) {
      Cors cors = new Cors(origins);
      router.route("/api/*").handler(cors::handle);
    }
  }

  static List<String> parse(Object setting) {
    List<String> out = new ArrayList<>();
    Iterable<?> items = setting instanceof JsonArray array ? array
      : setting == null ? List.of() : List.of(setting.toString().split(","));
    for (Object item : items) {
      String origin = item == null ? "" : item.toString().strip();
      if (origin.endsWith("/")) {
        origin = origin.substring(0, origin.length() - 1);
      }
      if (!origin.isEmpty()) {
        out.add(origin);
      }
    }
    if (out.contains("*")) {
      return List.of("*"); // any origin; CorsHandler refuses '*' mixed with others
    }
    return out;
  }

  private void handle(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin == null || isOwnOrigin(ctx, origin)) {
      ctx.next();
    } else if (allowed(origin)) {
      handler.handle(ctx);
    } else {
      HttpSupport.error(ctx, 403, ErrorCode.FORBIDDEN, "origin " + origin + " is not allowed (CORS_ALLOWED_ORIGINS)");
    }
  }

  private boolean allowed(String origin) {
    if (origins.contains("*")) {
      return true;
    }
    for (String o : origins) {
      if (o.equalsIgnoreCase(origin)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isOwnOrigin(RoutingContext ctx, String origin) {
    HostAndPort authority = ctx.request().authority();
    if (authority == null) {
      return false;
    }
    String scheme = ctx.request().scheme() == null ? "http" : ctx.request().scheme();
    String own = scheme + "://" + authority.host() + (authority.port() > 0 ? ":" + authority.port() : "");
    return own.toLowerCase(Locale.ROOT).equals(origin.toLowerCase(Locale.ROOT));
  }
}
