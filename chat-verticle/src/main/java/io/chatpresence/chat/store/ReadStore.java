package io.chatpresence.chat.store;

import io.chatpresence.protocol.ProtocolException;
import io.chatpresence.server.db.UnnestLanes;
import io.chatpresence.server.db.UnnestStatement;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * Read positions and the inbox (table {@code read_positions}, migration V3).
 *
 * <p>How {@code unread} is computed: each conversation's messages carry a dense {@code seq} (1, 2, 3, ... with
 * no gaps: the insert takes {@code last_seq + 1} under the conversation's row lock and advances {@code last_seq}
 * only when a row went in), and a member's position is a seq. Sending moves the sender's position to the new
 * message in the same statement, so every message of the member is at or before their position. Hence the
 * messages after the position are exactly others' messages, and
 * {@code unread = last_seq - read_seq - (deleted messages after read_seq)}: two columns of rows already read,
 * plus one range read of the partial index {@code messages_deleted} (empty until messages are deleted). Nothing
 * is counted incrementally, so nothing can drift: the count is recomputed from the two positions every time.
 */
public final class ReadStore {
  /**
   * Deleted messages after a member's row {@code rp} of conversation {@code c}: a range of the partial index
   * {@code messages_deleted}, read only when the conversation has a deleted message after the position
   * ({@code last_deleted_seq}, kept by a trigger).
   */
  private static final String DELETED_AFTER_ROW =
    "CASE WHEN c.last_deleted_seq > rp.read_seq THEN (SELECT count(*) FROM messages d "
      + "WHERE d.conversation_id = c.id AND d.seq > rp.read_seq AND d.deleted_at IS NOT NULL) ELSE 0 END";
  /** The same after the position {@code pos} just written in conversation {@code c} ($2). */
  private static final String DELETED_AFTER_POS =
    "CASE WHEN c.last_deleted_seq > pos.read_seq THEN (SELECT count(*) FROM messages d "
      + "WHERE d.conversation_id = $2 AND d.seq > pos.read_seq AND d.deleted_at IS NOT NULL) ELSE 0 END";

  /**
   * Moves the position forward to the message (never back), in one statement: nothing when the message is not
   * of the conversation. The position after, whether it moved, and unread after, as of the statement's snapshot
   * (at least 0: a position moved concurrently past a message committed after that snapshot would otherwise
   * count below zero). A move is an event (READ): it locks the conversation's {@code conversation_reads} row
   * first, then draws its event position, and raises that row's {@code pos} to it (the writers' rule,
   * docs/architecture.md "Event positions"). Not the conversation's own row: sends lock that one, and a mark
   * waiting for a send's commit (or a send for a mark's) is what made marking slow (migration V8).
   */
  private static final String MARK_READ =
    "WITH locked AS (SELECT r.conversation_id AS id FROM conversation_reads r WHERE r.conversation_id = $2 FOR UPDATE), "
      + "target AS (SELECT m.id, m.seq FROM locked JOIN messages m ON m.conversation_id = locked.id WHERE m.id = $3), "
      + "pos AS (INSERT INTO read_positions AS rp (username, conversation_id, read_seq, read_message_id, pos) "
      + "SELECT $1, $2, t.seq, t.id, nextval('messages_id_seq') FROM target t ON CONFLICT (username, conversation_id) DO UPDATE "
      + "SET prev_read_seq = rp.read_seq, read_seq = greatest(rp.read_seq, excluded.read_seq), "
      + "read_message_id = CASE WHEN excluded.read_seq > rp.read_seq THEN excluded.read_message_id ELSE rp.read_message_id END, "
      + "pos = CASE WHEN excluded.read_seq > rp.read_seq THEN excluded.pos ELSE rp.pos END "
      + "RETURNING rp.prev_read_seq, rp.read_seq, rp.read_message_id, rp.pos), "
      + "bump AS (UPDATE conversation_reads r SET pos = greatest(r.pos, pos.pos) FROM pos "
      + "WHERE r.conversation_id = $2 AND pos.read_seq > pos.prev_read_seq) "
      + "SELECT pos.prev_read_seq, pos.read_seq, pos.read_message_id, greatest(0, c.last_seq - pos.read_seq - ("
      + DELETED_AFTER_POS + ")) AS unread "
      + "FROM pos CROSS JOIN conversations c WHERE c.id = $2";

  /**
   * One page of a user's conversations, most recently active first, and the totals. $1 user, $2 the snapshot
   * (a message id; null on the first page: now), $3/$4 the cursor (sort key and conversation id of the last
   * row of the previous page, or null), $5 the page size + 1. The moment (the snapshot of the later pages) is the
   * sequence's last value; the page's syncToken is not (a lower position may still be uncommitted): it is the
   * SYNC watermark read just before (docs/architecture.md, "One-call catch-up").
   * <p>
   * Order: {@code activity} (the last message's id). Pages after the first order by activity as of the
   * snapshot: a conversation that got a message since keeps the place it had (its last message at or before
   * the snapshot, one backward index read), so paging neither repeats nor skips one while messages arrive;
   * conversations created after the snapshot are left to sync. A chat with a block either way shows no partner
   * position (it is a read receipt).
   * <p>
   * Cost: the sort key and unread of every conversation of the user are needed (the order and totalUnread), so
   * one pass reads the user's {@code read_positions} rows (one index range) and their conversations' rows, and
   * keeps three numbers per row ({@code mine}: id, key, unread; no text columns, nothing else joined). The page
   * is the top {@code $5} of those keys (a bounded heap sort), and only the page's rows get the rest, each by
   * key: the conversation's names, the member's read message, the last message, the partner's position and the
   * blocks ({@code OFFSET 0} keeps that a per-row subquery, each page row looked up by key; joined flat, the
   * planner may scan and hash the user's whole conversations and positions again for 50 rows). The pass stays
   * linear in the user's conversations: the
   * order and the total change with every message of every conversation, and keeping them per member would
   * write one row per member for each group message.
   */
  private static final String INBOX =
    "WITH mine AS MATERIALIZED (SELECT rp.conversation_id AS id, "
      + "CASE WHEN $2::bigint IS NULL OR c.activity <= $2::bigint THEN c.activity ELSE "
      + "(SELECT m.id FROM messages m WHERE m.conversation_id = c.id AND m.id <= $2::bigint ORDER BY m.seq DESC LIMIT 1) END AS k, "
      + "c.last_seq - rp.read_seq - (" + DELETED_AFTER_ROW + ") AS unread "
      + "FROM read_positions rp JOIN conversations c ON c.id = rp.conversation_id WHERE rp.username = $1), "
      + "page AS (SELECT id, k, unread FROM mine WHERE k IS NOT NULL "
      + "AND ($3::bigint IS NULL OR k < $3::bigint OR (k = $3::bigint AND id < $4::bigint)) "
      + "ORDER BY k DESC, id DESC LIMIT $5) "
      + "SELECT t.total_unread, t.moment, p.id, d.kind, d.external_id, d.user_a, d.user_b, d.name, p.k, "
      + "d.read_message_id, p.unread, d.last_id, d.last_sender, d.last_content, d.last_created_at, "
      + "d.partner_read_message_id "
      + "FROM (SELECT coalesce(sum(unread), 0)::bigint AS total_unread, "
      + "(SELECT last_value FROM messages_id_seq) AS moment FROM mine) t "
      + "LEFT JOIN page p ON true "
      + "LEFT JOIN LATERAL (SELECT c.kind, c.external_id, c.user_a, c.user_b, c.name, rp.read_message_id, "
      + "lm.id AS last_id, lm.sender AS last_sender, lm.content AS last_content, lm.created_at AS last_created_at, "
      + "op.read_message_id AS partner_read_message_id "
      + "FROM conversations c JOIN read_positions rp ON rp.username = $1 AND rp.conversation_id = c.id "
      + "LEFT JOIN LATERAL (SELECT m.id, m.sender, m.content, m.created_at FROM messages m "
      + "WHERE m.conversation_id = c.id AND m.deleted_at IS NULL ORDER BY m.seq DESC LIMIT 1) lm ON true "
      + "LEFT JOIN LATERAL (SELECT op.read_message_id FROM read_positions op WHERE c.kind = 'C' "
      + "AND op.username = CASE WHEN c.user_a = $1 THEN c.user_b ELSE c.user_a END AND op.conversation_id = c.id "
      + "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = c.user_a AND b.blocked = c.user_b) "
      + "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = c.user_b AND b.blocked = c.user_a)) op ON true "
      + "WHERE c.id = p.id OFFSET 0) d ON true "
      + "ORDER BY p.k DESC, p.id DESC";

  /**
   * {@link #MARK_READ} for a batch, as one statement over arrays ($1 users, $2 conversation ids, $3 message ids;
   * {@link UnnestStatement}), with the effects of one statement per mark in array order. Each user's position
   * in a conversation is written once, to the furthest message marked (never back), with one event position
   * drawn after the lock of the conversation's {@code conversation_reads} row. Positions are written in (user,
   * conversation) order, as the send batch writes its senders' (two batches that both move a user's positions in
   * two conversations cannot each wait for the other). Each mark is answered with the position as that mark left it: the
   * furthest of the position before the batch and the marks up to it ({@code upto}), and where it was before
   * ({@code before}), from the UPDATE's RETURNING (the latest row, not this statement's snapshot) merged by a
   * window over the union, not a join of the two lists. A mark of a message not in its conversation has no row.
   */
  private static final String MARK_READS = """
    WITH input AS (
      SELECT t.username, t.conversation_id, t.message_id, t.ord
      FROM unnest($1::text[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS t(username, conversation_id, message_id, ord)),
    locked AS (
      SELECT i.username, i.conversation_id, i.ord, m.id AS message_id, m.seq, c.last_seq, c.last_deleted_seq
      FROM input i JOIN conversation_reads r ON r.conversation_id = i.conversation_id
      JOIN conversations c ON c.id = i.conversation_id
      JOIN messages m ON m.id = i.message_id AND m.conversation_id = i.conversation_id
      ORDER BY i.conversation_id, i.ord
      FOR UPDATE OF r),
    marks AS MATERIALIZED (
      SELECT l.*, max(l.seq) OVER w AS upto_seq, (max(ARRAY[l.seq, l.message_id]) OVER w)[2] AS upto_id,
             max(l.seq) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_seq
      FROM locked l WINDOW w AS (PARTITION BY l.username, l.conversation_id ORDER BY l.ord)),
    furthest AS MATERIALIZED (
      SELECT f.*, nextval('messages_id_seq') AS pos FROM (
        SELECT DISTINCT ON (username, conversation_id) username, conversation_id, seq, message_id
        FROM marks ORDER BY username, conversation_id, seq DESC) f),
    moved AS (
      INSERT INTO read_positions AS rp (username, conversation_id, read_seq, read_message_id, pos)
      SELECT username, conversation_id, seq, message_id, pos FROM furthest ORDER BY username, conversation_id
      ON CONFLICT (username, conversation_id) DO UPDATE
      SET prev_read_seq = rp.read_seq, prev_read_message_id = rp.read_message_id,
        read_seq = greatest(rp.read_seq, excluded.read_seq),
        read_message_id = CASE WHEN excluded.read_seq > rp.read_seq THEN excluded.read_message_id ELSE rp.read_message_id END,
        pos = CASE WHEN excluded.read_seq > rp.read_seq THEN excluded.pos ELSE rp.pos END
      RETURNING rp.username, rp.conversation_id, rp.prev_read_seq, rp.prev_read_message_id, rp.read_seq, rp.pos),
    bump AS (
      UPDATE conversation_reads r SET pos = greatest(r.pos, a.pos)
      FROM (SELECT conversation_id, max(pos) AS pos FROM moved WHERE read_seq > prev_read_seq GROUP BY conversation_id) a
      WHERE r.conversation_id = a.conversation_id),
    answers AS (
      SELECT u.*, max(u.old_seq) OVER g AS was_seq, max(u.old_id) OVER g AS was_id FROM (
        SELECT k.ord, k.username, k.conversation_id, k.upto_seq, k.upto_id, k.before_seq, k.last_seq, k.last_deleted_seq,
               NULL::bigint AS old_seq, NULL::bigint AS old_id FROM marks k
        UNION ALL SELECT NULL, v.username, v.conversation_id, NULL, NULL, NULL, NULL, NULL,
               v.prev_read_seq, v.prev_read_message_id FROM moved v) u
      WINDOW g AS (PARTITION BY u.username, u.conversation_id)),
    positions AS (
      SELECT a.ord, a.conversation_id, a.last_seq, a.last_deleted_seq,
             greatest(a.was_seq, a.before_seq) AS prev_read_seq, greatest(a.was_seq, a.upto_seq) AS read_seq,
             CASE WHEN a.upto_seq > a.was_seq THEN a.upto_id ELSE a.was_id END AS read_message_id
      FROM answers a WHERE a.ord IS NOT NULL)
    SELECT p.ord, p.prev_read_seq, p.read_seq, p.read_message_id,
           greatest(0, p.last_seq - p.read_seq - CASE WHEN p.last_deleted_seq > p.read_seq THEN (
             SELECT count(*) FROM messages d WHERE d.conversation_id = p.conversation_id AND d.seq > p.read_seq
               AND d.deleted_at IS NOT NULL) ELSE 0 END) AS unread
    FROM positions p
    """;

  private static final int MAX_BATCH = 256;

  private final Pool pool;
  private final UnnestLanes marks;
  private final SyncWatermark watermark;
  private final SyncTokens tokens;

  /** {@code lanes}: mark batches committing at once (DB_WRITE_BATCHES), each in the lane of its conversations. */
  public ReadStore(Pool pool, SyncWatermark watermark, SyncTokens tokens, int lanes) {
    this(pool, watermark, tokens, lanes, 0);
  }

  /**
   * {@code holdMicros}: after each batch, how long a lane's next batch waits for more marks (DB_MARK_HOLD_MICROS).
   * A reader marking messages as they arrive sends a mark per message; the marks of one reader and conversation in
   * a batch are written once (the furthest), so marks held together cost the database less.
   */
  public ReadStore(Pool pool, SyncWatermark watermark, SyncTokens tokens, int lanes, long holdMicros) {
    this.pool = pool;
    this.watermark = watermark;
    this.tokens = tokens;
    this.marks = new UnnestLanes(pool.preparedQuery(MARK_READS), null, pool.preparedQuery(MARK_READ),
      List.of(String.class, Long.class, Long.class), MAX_BATCH, lanes, holdMicros, MAX_BATCH, true);
  }

  /** Where a member's position is after a MARK_READ, and whether it moved. */
  public record Marked(long readMessageId, boolean moved, long unread) {
  }

  /**
   * Moves {@code username}'s position in {@code conv} forward to message {@code messageId} (an older one changes
   * nothing). NOT_FOUND when the message is not of this conversation. Committed when it completes (marks that
   * arrive together share a commit).
   */
  public Future<Marked> markRead(Conversation conv, String username, long messageId) {
    return marks.execute(conv.id(), ConversationStore.lockKey(conv.id(), username), Tuple.of(username, conv.id(), messageId))
      .compose(rows -> {
        if (rows.isEmpty()) {
          return Future.failedFuture(ProtocolException.notFound(
            "message " + MessageIds.format(messageId) + " is not in this conversation"));
        }
        Row row = rows.get(0);
        return Future.succeededFuture(new Marked(row.getLong("read_message_id"),
          row.getLong("read_seq") > row.getLong("prev_read_seq"), row.getLong("unread")));
      });
  }

  /** One conversation of an inbox page. {@code with} for chats, {@code name} for groups. */
  public record InboxEntry(Kind kind, String conversationId, String with, String name, StoredMessage lastMessage,
                           long unread, Long readMessageId, Long partnerReadMessageId) {
  }

  /**
   * A page: entries, the cursor of the next page (null at the end), the total unread, and the SYNC token of the
   * moment read (the watermark: SYNC from it brings whatever the page may not show yet).
   */
  public record InboxPage(List<InboxEntry> entries, InboxCursor next, long totalUnread, String syncToken) {
  }

  public Future<InboxPage> inbox(String username, int limit, InboxCursor cursor) {
    long w = watermark.current();
    if (w < 0) {
      return Future.failedFuture(new IllegalStateException("no SYNC watermark yet"));
    }
    Tuple params = Tuple.of(username,
      cursor == null ? null : cursor.snapshot(),
      cursor == null ? null : cursor.key(),
      cursor == null ? null : cursor.conversation(),
      limit + 1);
    return pool.preparedQuery(INBOX).execute(params).map(rows -> {
      List<InboxEntry> entries = new ArrayList<>(Math.min(limit, rows.size()));
      long total = 0;
      long moment = 0;
      InboxCursor next = null;
      long lastKey = 0;
      long lastId = 0;
      for (Row row : rows) {
        total = row.getLong("total_unread");
        moment = row.getLong("moment");
        Long id = row.getLong("id");
        if (id == null) {
          break;
        }
        if (entries.size() == limit) {
          next = new InboxCursor(cursor == null ? moment : cursor.snapshot(), lastKey, lastId);
          break;
        }
        entries.add(entry(username, row));
        lastKey = row.getLong("k");
        lastId = id;
      }
      return new InboxPage(entries, next, total, tokens.encode(w));
    });
  }

  private static InboxEntry entry(String me, Row row) {
    Kind kind = Kind.of(row.getString("kind"));
    String externalId = row.getString("external_id");
    String with = null;
    if (kind == Kind.CHAT) {
      String a = row.getString("user_a");
      with = me.equals(a) ? row.getString("user_b") : a;
    }
    StoredMessage last = null;
    Long lastId = row.getLong("last_id");
    if (lastId != null) {
      String from = row.getString("last_sender");
      last = new StoredMessage(lastId, 0, from, kind == Kind.CHAT ? (from.equals(me) ? with : me) : null, kind,
        externalId, row.getString("last_content"), row.getOffsetDateTime("last_created_at"), false);
    }
    return new InboxEntry(kind, externalId, with, row.getString("name"), last, row.getLong("unread"),
      row.getLong("read_message_id"), kind == Kind.CHAT ? row.getLong("partner_read_message_id") : null);
  }
}
