package io.chatpresence.chat.store;

import io.chatpresence.protocol.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Export and erasure of one user's personal data. Both read the user's messages in batches by id (index
 * {@code messages_by_sender}), each batch its own statement (an erasure batch: one short transaction), so
 * neither holds a lock or a connection for long nor keeps the event loop busy: other users' sends go on meanwhile.
 */
public final class PersonalDataStore {
  public static final int BATCH = 1000;

  private static final String ACCOUNT =
    "SELECT username, created_at, issuer, banned, password_hash IS NOT NULL AS has_password "
      + "FROM users WHERE username = $1 AND erased_at IS NULL";
  private static final String CHATS =
    "SELECT external_id, CASE WHEN user_a = $1 THEN user_b ELSE user_a END AS partner, created_at "
      + "FROM conversations WHERE kind = 'C' AND (user_a = $1 OR user_b = $1) ORDER BY id";
  /** Each conversation's read position and unread count, counted as the inbox counts it (ReadStore). */
  private static final String READ_POSITIONS =
    "SELECT c.kind, c.external_id, rp.read_message_id, greatest(0, c.last_seq - rp.read_seq - ("
      + "CASE WHEN c.last_deleted_seq > rp.read_seq THEN (SELECT count(*) FROM messages d "
      + "WHERE d.conversation_id = c.id AND d.seq > rp.read_seq AND d.deleted_at IS NOT NULL) ELSE 0 END)) AS unread "
      + "FROM read_positions rp JOIN conversations c ON c.id = rp.conversation_id WHERE rp.username = $1 ORDER BY c.id";
  private static final String MESSAGES_PAGE =
    "SELECT m.id, m.content, m.created_at, m.deleted_at, c.kind, c.external_id FROM messages m "
      + "JOIN conversations c ON c.id = m.conversation_id WHERE m.sender = $1 AND m.id > $2 ORDER BY m.id LIMIT $3";
  /** Ends the account at once: no login (no password), no AUTH or REST (banned), every token refused. */
  private static final String CLOSE_ACCOUNT =
    "UPDATE users SET erased_at = coalesce(erased_at, now()), banned = true, password_hash = NULL, "
      + "tokens_valid_after = date_trunc('second', now()) + interval '1 second' "
      + "WHERE username = $1";
  /** Keyset batches (after the last id done), so each batch reads only its own rows of the index. */
  private static final String ERASE_BATCH_IDS =
    "SELECT id, conversation_id FROM messages WHERE sender = $1 AND id > $2 ORDER BY id LIMIT $3";
  /** The batch's conversations, locked in id order (every batch the same order: no deadlock between them). */
  private static final String LOCK_CONVERSATIONS =
    "SELECT id FROM conversations WHERE id = ANY($1) ORDER BY id FOR UPDATE";
  /**
   * Erasure is a deletion: the text goes, the row stays as a tombstone, and each message erased now draws an
   * event position (SYNC shows it deleted) that raises its conversation's events_pos. A message already
   * erased is left alone (a retried erasure draws nothing new).
   */
  private static final String ERASE_MESSAGES =
    "WITH erased AS (UPDATE messages m SET content = '', deleted_at = coalesce(m.deleted_at, now()), "
      + "changed_pos = nextval('messages_id_seq') WHERE m.id = ANY($1) AND (m.deleted_at IS NULL OR m.content <> '') "
      + "RETURNING m.conversation_id, m.changed_pos) "
      + "UPDATE conversations c SET events_pos = greatest(c.events_pos, e.pos) "
      + "FROM (SELECT conversation_id, max(changed_pos) AS pos FROM erased GROUP BY conversation_id) e "
      + "WHERE c.id = e.conversation_id";
  private static final String FORGET_REVOCATIONS =
    "DELETE FROM revoked_tokens WHERE username = $1";

  private final Pool pool;

  public PersonalDataStore(Pool pool) {
    this.pool = pool;
  }

  /** The account (no hash), or null for an unknown or erased user. */
  public Future<JsonObject> account(String username) {
    return pool.preparedQuery(ACCOUNT).execute(Tuple.of(username)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new JsonObject().put("username", row.getString("username"))
        .put("createdAt", Timestamps.format(row.getOffsetDateTime("created_at")))
        .put("identityProvider", row.getString("issuer"))
        .put("hasPassword", row.getBoolean("has_password"))
        .put("banned", row.getBoolean("banned"));
    });
  }

  public Future<JsonArray> chats(String username) {
    return pool.preparedQuery(CHATS).execute(Tuple.of(username)).map(rows -> {
      JsonArray chats = new JsonArray();
      for (Row row : rows) {
        chats.add(new JsonObject().put("chatId", row.getString("external_id")).put("with", row.getString("partner"))
          .put("createdAt", Timestamps.format(row.getOffsetDateTime("created_at"))));
      }
      return chats;
    });
  }

  /** {@code [{"chatId"|"groupId","messageId","unread"}]}: messageId null where nothing was read yet. */
  public Future<JsonArray> readPositions(String username) {
    return pool.preparedQuery(READ_POSITIONS).execute(Tuple.of(username)).map(rows -> {
      JsonArray positions = new JsonArray();
      for (Row row : rows) {
        Long read = row.getLong("read_message_id");
        positions.add(new JsonObject()
          .put(Kind.of(row.getString("kind")) == Kind.CHAT ? "chatId" : "groupId", row.getString("external_id"))
          .put("messageId", read == null ? null : MessageIds.format(read))
          .put("unread", row.getLong("unread")));
      }
      return positions;
    });
  }

  /** One page of the messages the user sent, after message id {@code afterId}; empty when done. */
  public Future<JsonArray> messagesAfter(String username, long afterId) {
    return pool.preparedQuery(MESSAGES_PAGE).execute(Tuple.of(username, afterId, BATCH)).map(rows -> {
      JsonArray page = new JsonArray();
      for (Row row : rows) {
        OffsetDateTime deleted = row.getOffsetDateTime("deleted_at");
        JsonObject m = new JsonObject().put("id", row.getLong("id"))
          .put("messageId", MessageIds.format(row.getLong("id")))
          .put(Kind.of(row.getString("kind")) == Kind.CHAT ? "chatId" : "groupId", row.getString("external_id"))
          .put("content", row.getString("content"))
          .put("timestamp", Timestamps.format(row.getOffsetDateTime("created_at")));
        if (deleted != null) {
          m.put("deleted", true);
        }
        page.add(m);
      }
      return page;
    });
  }

  /** False for an unknown user; an erased one again: true (a retried erasure finishes what is left). */
  public Future<Boolean> closeAccount(String username) {
    return pool.preparedQuery(CLOSE_ACCOUNT).execute(Tuple.of(username)).map(r -> r.rowCount() == 1);
  }

  /**
   * Erases the text of the user's next {@link #BATCH} messages after id {@code afterId}; the last id erased, or
   * -1 when there were none (all done).
   */
  public Future<Long> eraseBatch(String username, long afterId) {
    // one transaction per batch: the conversations are locked before any position is drawn (migration V5)
    return pool.withTransaction(conn -> conn.preparedQuery(ERASE_BATCH_IDS).execute(Tuple.of(username, afterId, BATCH))
      .compose(rows -> {
        if (rows.size() == 0) {
          return Future.succeededFuture(-1L);
        }
        List<Long> ids = new ArrayList<>(rows.size());
        Set<Long> conversations = new TreeSet<>();
        for (Row row : rows) {
          ids.add(row.getLong("id"));
          conversations.add(row.getLong("conversation_id"));
        }
        long last = ids.get(ids.size() - 1);
        return conn.preparedQuery(LOCK_CONVERSATIONS)
          .execute(Tuple.tuple().addArrayOfLong(conversations.toArray(new Long[0])))
          .compose(locked -> conn.preparedQuery(ERASE_MESSAGES)
            .execute(Tuple.tuple().addArrayOfLong(ids.toArray(new Long[0]))))
          .map(erased -> last);
      }));
  }

  public Future<Void> forgetRevocations(String username) {
    return pool.preparedQuery(FORGET_REVOCATIONS).execute(Tuple.of(username)).mapEmpty();
  }
}
