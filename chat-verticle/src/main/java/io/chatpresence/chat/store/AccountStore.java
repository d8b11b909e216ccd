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
  private final Pool pool;

  public AccountStore(Pool pool) {
    this.pool = pool;
  }

  /** True when created, false when the username is taken. */
  public Future<Boolean> create(String username, String passwordHash) {
    return pool.preparedQuery("INSERT INTO users (username, password_hash) VALUES ($1, $2)")
      .execute(Tuple.of(username, passwordHash))
      .map(rows -> true)
      .recover(e -> e instanceof PgException pg && "23505".equals(pg.getSqlState())
        ? Future.succeededFuture(false) : Future.failedFuture(e));
  }

  /** The stored hash, or null for an unknown user. */
  public Future<String> passwordHash(String username) {
    return pool.preparedQuery("SELECT password_hash FROM users WHERE username = $1")
      .execute(Tuple.of(username))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
  }

  /** Usernames starting with {@code prefix}, by the text_pattern_ops index. */
  public Future<List<String>> search(String prefix, int limit) {
    String pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    return pool.preparedQuery("SELECT username FROM users WHERE username LIKE $1 ORDER BY username LIMIT $2")
      .execute(Tuple.of(pattern, limit))
      .map(rows -> {
        List<String> names = new ArrayList<>();
        for (Row row : rows) {
          names.add(row.getString(0));
        }
        return names;
      });
  }

  public Future<Void> revoke(String jti, String username, Instant expiresAt) {
    return pool.preparedQuery("INSERT INTO revoked_tokens (jti, username, expires_at) VALUES ($1, $2, $3) "
        + "ON CONFLICT (jti) DO NOTHING")
      .execute(Tuple.of(jti, username, OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC)))
      .mapEmpty();
  }

  /** Revocations past their token's expiry are no longer needed: the token is refused anyway. */
  public Future<Integer> purgeExpiredRevocations() {
    return pool.query("DELETE FROM revoked_tokens WHERE expires_at < now()").execute().map(rows -> rows.rowCount());
  }
}
