package io.chatpresence.chat.store;

import io.chatpresence.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/** SQL of the server-side API that no client call shares: revoke all, ban, a group made with its members. */
public final class AdminStore {
  /** The next whole second: token {@code iat}s are whole seconds, so every token issued until now is before it. */
  private static final String REVOKE_ALL =
    "UPDATE users SET tokens_valid_after = date_trunc('second', now()) + interval '1 second' WHERE username = $1";
  private static final String SET_BANNED =
    "UPDATE users SET banned = $2 WHERE username = $1";
  private static final String UNKNOWN_USERS =
    "SELECT m.name FROM unnest($1::text[]) AS m(name) "
      + "WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.username = m.name) ORDER BY m.name";
  private static final String USER_EXISTS =
    "SELECT 1 FROM users WHERE username = $1";
  private static final String CREATE_GROUP =
    "INSERT INTO conversations (kind, external_id, name, owner, member_count, members_version) "
      + "VALUES ('G', $1, $2, $3, $4, 1) RETURNING id";
  /**
   * Each member's join as an event (SYNC's INFO joined), at positions drawn after the group's row was inserted
   * by this transaction (so it has its xid: the writers' rule, docs/architecture.md "Event positions").
   */
  private static final String ADD_MEMBERS =
    "WITH m AS MATERIALIZED (SELECT u.name, nextval('messages_id_seq') AS pos FROM unnest($2::text[]) AS u(name)), "
      + "gm AS (INSERT INTO group_members (conversation_id, username, joined_pos) SELECT $1, m.name, m.pos FROM m), "
      + "ev AS (INSERT INTO membership_events (pos, conversation_id, username, joined) SELECT m.pos, $1, m.name, true FROM m) "
      + "UPDATE conversations SET events_pos = coalesce((SELECT max(m.pos) FROM m), events_pos) WHERE id = $1";

  private final Pool pool;

  public AdminStore(Pool pool) {
    this.pool = pool;
  }

  /** False for an unknown user. */
  public Future<Boolean> revokeAll(String username) {
    return pool.preparedQuery(REVOKE_ALL).execute(Tuple.of(username)).map(r -> r.rowCount() == 1);
  }

  /** False for an unknown user. */
  public Future<Boolean> setBanned(String username, boolean banned) {
    return pool.preparedQuery(SET_BANNED).execute(Tuple.of(username, banned)).map(r -> r.rowCount() == 1);
  }

  public Future<Boolean> exists(String username) {
    return pool.preparedQuery(USER_EXISTS).execute(Tuple.of(username)).map(r -> r.size() == 1);
  }

  /**
   * Creates the group with exactly these members (the first is its owner), all or nothing: an unknown member
   * fails it with NOT_FOUND and nothing is created.
   */
  public Future<Void> createGroup(String groupId, String name, List<String> members) {
    String[] names = members.toArray(new String[0]);
    return pool.withTransaction(conn -> conn.preparedQuery(UNKNOWN_USERS).execute(Tuple.tuple().addArrayOfString(names))
      .compose(unknown -> {
        if (unknown.size() > 0) {
          List<String> missing = new ArrayList<>();
          for (Row row : unknown) {
            missing.add(row.getString(0));
          }
          return Future.failedFuture(ProtocolException.notFound("unknown users: " + String.join(", ", missing)));
        }
        return conn.preparedQuery(CREATE_GROUP)
          .execute(Tuple.of(groupId, name, members.isEmpty() ? null : members.get(0), members.size()));
      })
      .compose(created -> conn.preparedQuery(ADD_MEMBERS)
        .execute(Tuple.tuple().addLong(created.iterator().next().getLong("id")).addArrayOfString(names)))
      .<Void>mapEmpty())
      // a member erased meanwhile: the same answer as unknown
      .recover(e -> Future.failedFuture(e instanceof PgException pg && "23503".equals(pg.getSqlState())
        ? ProtocolException.notFound("unknown users among the members") : e));
  }
}
