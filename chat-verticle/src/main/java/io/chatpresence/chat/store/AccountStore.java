package io.chatpresence.chat.store;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** SQL for accounts and revoked tokens. */
public final class AccountStore {
  private static final String INSERT_USER =
    "INSERT INTO users (username, password_hash) VALUES ($1, $2)";
  private static final String PASSWORD_HASH =
    "SELECT password_hash FROM users WHERE username = $1";
  private static final String SEARCH =
    "SELECT username FROM users WHERE username LIKE $1 ORDER BY username LIMIT $2";
  private static final String REVOKE =
    "INSERT INTO revoked_tokens (jti, username, expires_at) VALUES ($1, $2, $3) "
      + "ON CONFLICT (jti) DO NOTHING";
  private static final String PURGE_REVOKED =
    "DELETE FROM revoked_tokens WHERE expires_at < now()";

  private final Pool pool;

  public AccountStore(Pool pool) {
    this.pool = pool;
  }

  /** True when created, false when the username is taken. */
  public Future<Boolean> create(String username, String passwordHash) {
    return pool.preparedQuery(INSERT_USER)
      .execute(Tuple.of(username, passwordHash))
      .map(rows -> true)
      .recover(e -> e instanceof PgException pg && "23505".equals(pg.getSqlState())
        ? Future.succeededFuture(false) : Future.failedFuture(e));
  }

  /** The stored hash, or null for an unknown user. */
  public Future<String> passwordHash(String username) {
    return pool.preparedQuery(PASSWORD_HASH)
      .execute(Tuple.of(username))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("password_hash"));
  }

  /** Usernames starting with {@code prefix}, by the text_pattern_ops index. */
  public Future<List<String>> search(String prefix, int limit) {
    String pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    return pool.preparedQuery(SEARCH)
      .execute(Tuple.of(pattern, limit))
      .map(rows -> {
        List<String> names = new ArrayList<>();
        for (Row row : rows) {
          names.add(row.getString("username"));
        }
        return names;
      });
  }

  public Future<Void> revoke(String jti, String username, Instant expiresAt) {
    return pool.preparedQuery(REVOKE)
      .execute(Tuple.of(jti, username, OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC)))
      .mapEmpty();
  }

  /** Revocations past their token's expiry are no longer needed: the token is refused anyway. */
  public Future<Integer> purgeExpiredRevocations() {
    return pool.preparedQuery(PURGE_REVOKED).execute().map(rows -> rows.rowCount());
  }
}
