package io.chatpresence.chat.store;

import io.chatpresence.protocol.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * SQL for blocks (table {@code blocks}, migration V5): who blocks whom since when. The send path does not read
 * this store: the message insert itself refuses a chat whose pair has a block either way (ConversationStore).
 */
public final class BlockStore {
  /**
   * Adds the block if the target is a user (not erased); a repeat keeps the first row and its {@code since}.
   * Whether the user was found, and whether a row went in.
   */
  private static final String BLOCK =
    "WITH target AS (SELECT username FROM users WHERE username = $2 AND erased_at IS NULL), "
      + "ins AS (INSERT INTO blocks (blocker, blocked) SELECT $1, t.username FROM target t "
      + "ON CONFLICT (blocker, blocked) DO NOTHING RETURNING 1) "
      + "SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM ins) AS added";
  private static final String UNBLOCK =
    "DELETE FROM blocks WHERE blocker = $1 AND blocked = $2";
  private static final String BLOCKED_BY =
    "SELECT blocked, since FROM blocks WHERE blocker = $1 ORDER BY since, blocked";
  /** Both directions: whom the user blocks (by the primary key) and who blocks the user (blocks_by_blocked). */
  private static final String BOTH_WAYS =
    "SELECT blocked AS other, true AS mine FROM blocks WHERE blocker = $1 "
      + "UNION ALL SELECT blocker, false FROM blocks WHERE blocked = $1";
  private static final String ERASE =
    "DELETE FROM blocks WHERE blocker = $1 OR blocked = $1 RETURNING blocker, blocked";

  private final Pool pool;

  public BlockStore(Pool pool) {
    this.pool = pool;
  }

  /** {@code found}: the blocked user exists; {@code added}: a new block (false for a repeat). */
  public record Blocked(boolean found, boolean added) {
  }

  public Future<Blocked> block(String blocker, String blocked) {
    return pool.preparedQuery(BLOCK).execute(Tuple.of(blocker, blocked)).map(rows -> {
      Row row = rows.iterator().next();
      return new Blocked(row.getBoolean("found"), row.getBoolean("added"));
    });
  }

  /** True when a block was removed. */
  public Future<Boolean> unblock(String blocker, String blocked) {
    return pool.preparedQuery(UNBLOCK).execute(Tuple.of(blocker, blocked)).map(r -> r.rowCount() > 0);
  }

  /** Whom {@code blocker} blocks, oldest first: {@code [{"username","since"}]}. */
  public Future<JsonArray> list(String blocker) {
    return pool.preparedQuery(BLOCKED_BY).execute(Tuple.of(blocker)).map(rows -> {
      JsonArray blocks = new JsonArray();
      for (Row row : rows) {
        blocks.add(new JsonObject().put("username", row.getString("blocked"))
          .put("since", Timestamps.format(row.getOffsetDateTime("since"))));
      }
      return blocks;
    });
  }

  /** Both directions of a user's blocks. */
  public record Counterparts(List<String> blocking, List<String> blockedBy) {
  }

  public Future<Counterparts> counterparts(String username) {
    return pool.preparedQuery(BOTH_WAYS).execute(Tuple.of(username)).map(rows -> {
      List<String> blocking = new ArrayList<>();
      List<String> blockedBy = new ArrayList<>();
      for (Row row : rows) {
        (row.getBoolean("mine") ? blocking : blockedBy).add(row.getString("other"));
      }
      return new Counterparts(blocking, blockedBy);
    });
  }

  /** One block: {@code blocker} blocks {@code blocked}. */
  public record Pair(String blocker, String blocked) {
  }

  /** Erasure: every block of the user, both ways; the pairs removed. */
  public Future<List<Pair>> eraseAll(String username) {
    return pool.preparedQuery(ERASE).execute(Tuple.of(username)).map(rows -> {
      List<Pair> removed = new ArrayList<>();
      for (Row row : rows) {
        removed.add(new Pair(row.getString("blocker"), row.getString("blocked")));
      }
      return removed;
    });
  }
}
