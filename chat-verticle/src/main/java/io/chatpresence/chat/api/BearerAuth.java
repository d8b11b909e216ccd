package io.chatpresence.chat.api;

import io.chatpresence.server.auth.Authenticator;
import io.chatpresence.server.auth.Claims;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

/**
 * The {@code bearer} security scheme of the contract: a JWT in {@code Authorization: Bearer}, checked by the
 * {@link Authenticator} (signature, expiry, claims, and that the user exists and the token is not revoked,
 * which vertx-auth-jwt's own handler cannot know). Mounted by the router builder on every operation that
 * requires {@code bearer}, before validation. Fails with 401 for a refused token, 503 when the database
 * cannot say.
 */
final class BearerAuth extends ScopelessBearerHandler {
  private static final String CLAIMS = "claims";

  private final Authenticator authenticator;

  BearerAuth(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  /** The caller's claims, on a route behind this handler. */
  static Claims claims(RoutingContext ctx) {
    return ctx.get(CLAIMS);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      ctx.fail(new HttpException(401, "missing bearer token"));
      return;
    }
    authenticator.authenticate(header.substring(7).trim()).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.put(CLAIMS, ar.result());
        ctx.next();
      } else if (ar.cause() instanceof Authenticator.AuthFailure f) {
        ctx.fail(new HttpException(401, f.getMessage()));
      } else {
        ctx.fail(new HttpException(503, ar.cause()));
      }
    });
  }
}
