package io.chatpresence.server.auth;

import io.chatpresence.server.db.UnnestStatement;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/**
 * A token is good when its signature and claims are, its user exists and its {@code jti} is not revoked. A
 * provider's token creates its user on first sight (no password: login refuses it); it is refused for a name held
 * by a local account or by another issuer's user, so a provider cannot take over an account it did not make.
 */
public final class Authenticator {
  /**
   * {@code issuer}: null for no such user, '' for a local account, else the provider that made it;
   * {@code valid_after} (epoch seconds): tokens issued before it are refused (the server-side revoke).
   */
  private static final String CHECK_SQL =
    "SELECT CASE WHEN u.username IS NULL THEN NULL ELSE coalesce(u.issuer, '') END AS issuer, "
      + "coalesce(u.banned, false) AS banned, u.erased_at IS NOT NULL AS erased, "
      + "extract(epoch FROM u.tokens_valid_after)::bigint AS valid_after, "
      + "EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $2) AS revoked "
      + "FROM (VALUES (1)) AS one LEFT JOIN users u ON u.username = $1";
  /** {@link #CHECK_SQL} for a batch ($1 usernames, $2 jtis; {@link UnnestStatement}): one statement for many sockets. */
  private static final String CHECKS_SQL =
    "SELECT t.ord, CASE WHEN u.username IS NULL THEN NULL ELSE coalesce(u.issuer, '') END AS issuer, "
      + "coalesce(u.banned, false) AS banned, u.erased_at IS NOT NULL AS erased, "
      + "extract(epoch FROM u.tokens_valid_after)::bigint AS valid_after, "
      + "EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = t.jti) AS revoked "
      + "FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(username, jti, ord) "
      + "LEFT JOIN users u ON u.username = t.username";
  private static final String CREATE_SQL =
    "INSERT INTO users (username, password_hash, issuer) VALUES ($1, NULL, $2) ON CONFLICT (username) DO NOTHING";

  /** Checks per batch and batches out at once: sockets connecting together share round trips. */
  private static final int MAX_BATCH = 128;
  private static final int MAX_BATCHES_IN_FLIGHT = 2;

  private final Tokens tokens;
  private final Pool pool;
  private final UnnestStatement check;

  /** One per verticle instance: the checks are batched on its event loop. */
  public Authenticator(Tokens tokens, Pool pool) {
    this.tokens = tokens;
    this.pool = pool;
    this.check = new UnnestStatement(pool.preparedQuery(CHECKS_SQL), pool.preparedQuery(CHECK_SQL),
      List.of(String.class, String.class), MAX_BATCH, MAX_BATCHES_IN_FLIGHT);
  }

  public Tokens tokens() {
    return tokens;
  }

  /** Fails with {@link AuthFailure} for a bad token; with the database's error when it is down. */
  public Future<Claims> authenticate(String token) {
    return tokens.verify(token)
      .recover(e -> Future.failedFuture(e instanceof AuthFailure ? e : new AuthFailure("invalid or expired token")))
      .compose(claims -> checked(claims, true));
  }

  private Future<Claims> checked(Claims claims, boolean mayCreate) {
    return check.execute(0, Tuple.of(claims.username(), claims.jti())).compose(rows -> {
      Row row = rows.get(0);
      String issuer = row.getString("issuer");
      if (row.getBoolean("revoked")) {
        return Future.failedFuture(new AuthFailure("token revoked"));
      }
      if (row.getBoolean("erased")) {
        return Future.failedFuture(new AuthFailure("account erased"));
      }
      if (row.getBoolean("banned")) {
        return Future.failedFuture(new AuthFailure("account banned"));
      }
      Long validAfter = row.getLong("valid_after");
      if (validAfter != null && (claims.issuedAt() == null || claims.issuedAt().getEpochSecond() < validAfter)) {
        return Future.failedFuture(new AuthFailure("token revoked: all sessions of this user were ended"));
      }
      if (!claims.fromProvider()) {
        return issuer == null ? Future.failedFuture(new AuthFailure("unknown user")) : Future.succeededFuture(claims);
      }
      if (issuer == null && mayCreate) {
        return pool.preparedQuery(CREATE_SQL).execute(Tuple.of(claims.username(), claims.issuer()))
          .compose(created -> checked(claims, false));
      }
      if (!claims.issuer().equals(issuer)) {
        return Future.failedFuture(new AuthFailure(issuer == null ? "unknown user"
          : "the username " + claims.username() + " belongs to an account of another origin"));
      }
      return Future.succeededFuture(claims);
    });
  }

  /** The token is refused; distinct from the database being unavailable. */
  public static final class AuthFailure extends RuntimeException {
    public AuthFailure(String message) {
      super(message, null, false, false);
    }
  }
}
