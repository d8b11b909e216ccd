package io.chatpresence.server.auth;

import io.chatpresence.server.db.BatchedStatement;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** A token is good when its signature and claims are, its user exists and its {@code jti} is not revoked. */
public final class Authenticator {
  private static final String CHECK_SQL =
    "SELECT EXISTS (SELECT 1 FROM users WHERE username = $1) AS user_exists, "
      + "EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $2) AS revoked";

  /** Checks per batch and batches out at once: sockets connecting together share round trips. */
  private static final int MAX_BATCH = 128;
  private static final int MAX_BATCHES_IN_FLIGHT = 2;

  private final Tokens tokens;
  private final BatchedStatement check;

  /** One per verticle instance: the checks are batched on its event loop. */
  public Authenticator(Tokens tokens, Pool pool) {
    this.tokens = tokens;
    this.check = new BatchedStatement(pool.preparedQuery(CHECK_SQL), MAX_BATCH, MAX_BATCHES_IN_FLIGHT);
  }

  public Tokens tokens() {
    return tokens;
  }

  /** Fails with {@link AuthFailure} for a bad token; with the database's error when it is down. */
  public Future<Claims> authenticate(String token) {
    return tokens.verify(token)
      .recover(e -> Future.failedFuture(new AuthFailure("invalid or expired token")))
      .compose(claims -> check.execute(0, Tuple.of(claims.username(), claims.jti()))
        .compose(rows -> {
          Row row = rows.iterator().next();
          if (!row.getBoolean("user_exists")) {
            return Future.failedFuture(new AuthFailure("unknown user"));
          }
          if (row.getBoolean("revoked")) {
            return Future.failedFuture(new AuthFailure("token revoked"));
          }
          return Future.succeededFuture(claims);
        }));
  }

  /** The token is refused; distinct from the database being unavailable. */
  public static final class AuthFailure extends RuntimeException {
    public AuthFailure(String message) {
      super(message, null, false, false);
    }
  }
}
