package io.chatpresence.chat.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SQL of SYNC (docs/architecture.md, "One-call catch-up"): the watermark's samples, and a user's events with
 * positions in (since, W]. First the windows: the user's chats and current groups (from the join), and the
 * groups it left after {@code since} (up to the leave), each kept only when its {@code events_pos} or its
 * {@code conversation_reads.pos} is past the window's start. Then one statement per kind of event, for those conversations only (arrays unnested, one
 * index range per conversation, {@code LIMIT limit + 1} each and in all), merged by position here.
 */
public final class SyncStore {
  /** The last position drawn (by a transaction that may still be running). */
  private static final String HIGHEST_POSITION =
    "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS high FROM messages_id_seq";
  /**
   * Run after HIGHEST_POSITION, as its own statement: the transactions holding an xid now. (Not a snapshot's
   * xmin/xmax: a snapshot's xmax is the latest completed xid + 1, so a transaction that got its xid after the
   * last completion is in neither; pg_stat_activity reads each backend's xid as it is.)
   */
  private static final String RUNNING_XIDS =
    "SELECT coalesce(array_agg(backend_xid::text::bigint), '{}') AS xids FROM pg_stat_activity "
      + "WHERE backend_xid IS NOT NULL";

  /** Conversation {@code c} has an event after position $2 (since), or after {@code w.lo} (see {@link #WINDOWS}). */
  private static final String CHANGED_AFTER_SINCE = "(c.events_pos > $2 OR EXISTS (SELECT 1 FROM conversation_reads r "
    + "WHERE r.conversation_id = c.id AND r.pos > $2))";
  private static final String CHANGED_AFTER_LO = "(c.events_pos > w.lo OR EXISTS (SELECT 1 FROM conversation_reads r "
    + "WHERE r.conversation_id = c.id AND r.pos > w.lo))";

  /**
   * $1 user, $2 since, $3 W. A window (lo, hi] per conversation with an event past lo: its {@code events_pos}
   * (messages, edits, joins and leaves), else its {@code conversation_reads.pos} (read-position moves; migration
   * V8), probed by key only for a conversation whose events_pos is not. The chats read with their columns from
   * the pair indexes, the groups joined to their rows by key (no pass over all rows).
   */
  private static final String WINDOWS =
    "SELECT c.id, c.kind, c.external_id, c.user_a, c.user_b, c.member_count, $2::bigint AS lo, $3::bigint AS hi "
      + "FROM conversations c WHERE c.kind = 'C' AND c.user_a = $1 AND " + CHANGED_AFTER_SINCE + " "
      + "UNION ALL SELECT c.id, c.kind, c.external_id, c.user_a, c.user_b, c.member_count, $2::bigint, $3::bigint "
      + "FROM conversations c WHERE c.kind = 'C' AND c.user_b = $1 AND " + CHANGED_AFTER_SINCE + " "
      + "UNION ALL SELECT c.id, c.kind, c.external_id, c.user_a, c.user_b, c.member_count, w.lo, $3::bigint "
      + "FROM group_members gm CROSS JOIN LATERAL (SELECT greatest($2::bigint, gm.joined_pos - 1) AS lo) w "
      + "JOIN conversations c ON c.id = gm.conversation_id "
      + "WHERE gm.username = $1 AND " + CHANGED_AFTER_LO + " AND w.lo < $3::bigint "
      + "UNION ALL SELECT c.id, c.kind, c.external_id, c.user_a, c.user_b, c.member_count, w.lo, w.hi "
      + "FROM membership_events l CROSS JOIN LATERAL (SELECT greatest($2::bigint, coalesce((SELECT max(j.pos) "
      + "FROM membership_events j WHERE j.username = $1 AND j.conversation_id = l.conversation_id AND j.joined "
      + "AND j.pos < l.pos), 0) - 1) AS lo, least(l.pos, $3::bigint) AS hi) w "
      + "JOIN conversations c ON c.id = l.conversation_id "
      + "WHERE l.username = $1 AND NOT l.joined AND l.pos > $2 AND w.lo < w.hi AND " + CHANGED_AFTER_LO;

  /**
   * $1 conversations, $2 lo, $3 hi, $4 limit + 1: messages by (conversation_id, seq); deleted ones never. Messages
   * have no index on (conversation_id, id) (V7: one index entry fewer per message stored), but within a
   * conversation ids rise with seq (each is drawn under the conversation's row lock), so the messages after
   * position lo are those after the seq of the last message at or before lo. That seq: among the conversation's
   * last 64 messages (read back from its end, stopping at the first at or before lo); else 0 when its first
   * message is after lo; else by halving [0, last_seq], one index probe a step (about 20 for a million
   * messages), so a page costs about the same however long the history before or after lo. (A probe takes the
   * first message at or after its seq: a hole left by a retry before V3 changes nothing.)
   */
  private static final String MESSAGES =
    "SELECT m.conversation_id, m.id, m.seq, m.sender, m.content, m.created_at, m.edited_at "
      + "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS w(id, lo, hi) "
      + "CROSS JOIN LATERAL (SELECT * FROM messages m WHERE m.conversation_id = w.id AND m.seq > coalesce("
      + "(SELECT b.seq FROM (SELECT b.seq, b.id FROM messages b WHERE b.conversation_id = w.id ORDER BY b.seq DESC "
      + "LIMIT 64) b WHERE b.id <= w.lo LIMIT 1), "
      + "(SELECT 0 FROM (SELECT f.id FROM messages f WHERE f.conversation_id = w.id ORDER BY f.seq LIMIT 1) f "
      + "WHERE f.id > w.lo), "
      + "(WITH RECURSIVE half(l, h) AS (SELECT 0::bigint, c.last_seq FROM conversations c WHERE c.id = w.id "
      + "UNION ALL SELECT CASE WHEN p.id <= w.lo THEN x.mid ELSE x.l END, CASE WHEN p.id <= w.lo THEN x.h ELSE x.mid - 1 END "
      + "FROM (SELECT l, h, (l + h + 1) / 2 AS mid FROM half WHERE l < h) x "
      + "LEFT JOIN LATERAL (SELECT p.id FROM messages p WHERE p.conversation_id = w.id AND p.seq >= x.mid "
      + "ORDER BY p.seq LIMIT 1) p ON true) "
      + "SELECT max(l) FROM half)) "
      + "AND m.id <= w.hi AND m.deleted_at IS NULL ORDER BY m.seq LIMIT $4) m ORDER BY m.id LIMIT $4";
  /** Edits and deletions by (conversation_id, changed_pos). */
  private static final String CHANGES =
    "SELECT m.conversation_id, m.id, m.seq, m.sender, m.content, m.created_at, m.edited_at, m.deleted_at, "
      + "m.changed_pos FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS w(id, lo, hi) "
      + "CROSS JOIN LATERAL (SELECT * FROM messages m WHERE m.conversation_id = w.id AND m.changed_pos > w.lo "
      + "AND m.changed_pos <= w.hi ORDER BY m.changed_pos LIMIT $4) m ORDER BY m.changed_pos LIMIT $4";
  /**
   * Read positions that moved in the window: the user's own (by key, with unread), and others' where receipts
   * go ($6: chats and small groups; the second branch is not run for the others), never across a block in a
   * chat ($7: the window is a chat; two primary-key probes of {@code blocks}), as live receipts.
   */
  private static final String READS =
    "SELECT rp.conversation_id, rp.username, rp.read_message_id, rp.pos, CASE WHEN rp.username = $5 THEN "
      + "greatest(0, c.last_seq - rp.read_seq - CASE WHEN c.last_deleted_seq > rp.read_seq THEN (SELECT count(*) "
      + "FROM messages d WHERE d.conversation_id = c.id AND d.seq > rp.read_seq AND d.deleted_at IS NOT NULL) "
      + "ELSE 0 END) END AS unread "
      + "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $6::boolean[], $7::boolean[]) AS w(id, lo, hi, others, chat) "
      + "CROSS JOIN LATERAL (SELECT * FROM read_positions r WHERE r.username = $5 AND r.conversation_id = w.id "
      + "AND r.pos > w.lo AND r.pos <= w.hi "
      + "UNION ALL SELECT * FROM read_positions r WHERE w.others AND r.conversation_id = w.id AND r.username <> $5 "
      + "AND r.pos > w.lo AND r.pos <= w.hi AND NOT (w.chat AND (EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = $5 "
      + "AND b.blocked = r.username) OR EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = r.username AND b.blocked = $5)))) rp "
      + "JOIN conversations c ON c.id = rp.conversation_id ORDER BY rp.pos LIMIT $4";
  /** Joins and leaves, groups only. */
  private static final String MEMBERSHIP =
    "SELECT e.conversation_id, e.pos, e.username, e.joined "
      + "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS w(id, lo, hi) "
      + "CROSS JOIN LATERAL (SELECT * FROM membership_events e WHERE e.conversation_id = w.id AND e.pos > w.lo "
      + "AND e.pos <= w.hi ORDER BY e.pos LIMIT $4) e ORDER BY e.pos LIMIT $4";

  /** A conversation and the positions (lo, hi] of it the user may see. */
  public record Window(long id, Kind kind, String externalId, String userA, String userB, int memberCount,
                       long lo, long hi) {
    /** The other participant of a chat. */
    String other(String me) {
      return me.equals(userA) ? userB : userA;
    }
  }

  /** One event at its position; events at the same position come in {@link #rank()} order. */
  public sealed interface Event permits Message, Change, Read, Membership {
    long position();

    Window conversation();

    int rank();
  }

  /** A message (current text; never a deleted one). */
  public record Message(Window conversation, StoredMessage message, OffsetDateTime editedAt) implements Event {
    public long position() {
      return message.id();
    }

    public int rank() {
      return 0;
    }
  }

  /** The last edit (deletedAt null) or the deletion of a message. */
  public record Change(Window conversation, long position, StoredMessage message, OffsetDateTime editedAt,
                       OffsetDateTime deletedAt) implements Event {
    public int rank() {
      return 1;
    }
  }

  /** A read position in its latest state; unread for the user's own only. */
  public record Read(Window conversation, long position, String username, long readMessageId, Long unread)
    implements Event {
    public int rank() {
      return 2;
    }
  }

  public record Membership(Window conversation, long position, String username, boolean joined) implements Event {
    public int rank() {
      return 3;
    }
  }

  /** A page: events in position order; next is the position to continue after. */
  public record Page(List<Event> events, boolean hasMore, long next) {
  }

  /** Which events the socket receives live: edits/deletions (edit), reads (read); receipts in groups up to a size. */
  public record Wants(boolean changes, boolean reads, int receiptGroupMax) {
  }

  private static final Comparator<Event> ORDER =
    Comparator.comparingLong(Event::position).thenComparingInt(Event::rank);

  private final Pool pool;

  public SyncStore(Pool pool) {
    this.pool = pool;
  }

  // ---- the watermark's sample -----------------------------------------------------------------------

  Future<Long> highestPosition() {
    return pool.preparedQuery(HIGHEST_POSITION).execute().map(rows -> rows.iterator().next().getLong("high"));
  }

  /** The xids of the transactions running now. */
  Future<long[]> runningXids() {
    return pool.preparedQuery(RUNNING_XIDS).execute().map(rows -> {
      Long[] xids = rows.iterator().next().getArrayOfLongs("xids");
      long[] running = new long[xids.length];
      for (int i = 0; i < xids.length; i++) {
        running[i] = xids[i];
      }
      return running;
    });
  }

  // ---- a page ---------------------------------------------------------------------------------------

  /** {@code username}'s events with since < position <= watermark, at most about {@code limit} (since < watermark). */
  public Future<Page> page(String username, long since, long watermark, int limit, Wants wants) {
    return pool.preparedQuery(WINDOWS).execute(Tuple.of(username, since, watermark)).compose(rows -> {
      List<Window> all = new ArrayList<>(rows.size());
      for (Row row : rows) {
        all.add(new Window(row.getLong("id"), Kind.of(row.getString("kind")), row.getString("external_id"),
          row.getString("user_a"), row.getString("user_b"), row.getInteger("member_count"), row.getLong("lo"),
          row.getLong("hi")));
      }
      if (all.isEmpty()) {
        return Future.succeededFuture(new Page(List.of(), false, watermark));
      }
      return events(username, all, limit, wants).map(found -> cut(found, limit, watermark));
    });
  }

  private record Found(List<Event> events, boolean truncated) {
  }

  private Future<Found> events(String username, List<Window> windows, int limit, Wants wants) {
    Map<Long, List<Window>> byId = new HashMap<>();
    windows.forEach(w -> byId.computeIfAbsent(w.id(), k -> new ArrayList<>(1)).add(w));
    List<Window> groups = windows.stream().filter(w -> w.kind() == Kind.GROUP).toList();
    Tuple all = bounds(windows).addInteger(limit + 1);
    List<Future<RowSet<Row>>> queries = new ArrayList<>(4);
    queries.add(pool.preparedQuery(MESSAGES).execute(all));
    queries.add(wants.changes() ? pool.preparedQuery(CHANGES).execute(all) : null);
    if (wants.reads()) {
      Boolean[] others = new Boolean[windows.size()];
      Boolean[] chat = new Boolean[windows.size()];
      for (int i = 0; i < others.length; i++) {
        Window w = windows.get(i);
        chat[i] = w.kind() == Kind.CHAT;
        others[i] = chat[i] || w.memberCount() <= wants.receiptGroupMax();
      }
      queries.add(pool.preparedQuery(READS).execute(bounds(windows).addInteger(limit + 1).addString(username)
        .addArrayOfBoolean(others).addArrayOfBoolean(chat)));
    } else {
      queries.add(null);
    }
    queries.add(groups.isEmpty() ? null : pool.preparedQuery(MEMBERSHIP).execute(bounds(groups).addInteger(limit + 1)));
    List<Future<RowSet<Row>>> running = queries.stream().filter(q -> q != null).toList();
    return Future.all(running).map(done -> {
      List<Event> events = new ArrayList<>();
      boolean truncated = false;
      for (int kind = 0; kind < queries.size(); kind++) {
        Future<RowSet<Row>> q = queries.get(kind);
        if (q == null) {
          continue;
        }
        RowSet<Row> rows = q.result();
        truncated |= rows.size() > limit;
        for (Row row : rows) {
          Event e = event(kind, row, username, byId.get(row.getLong("conversation_id")));
          if (e != null) {
            events.add(e);
          }
        }
      }
      events.sort(ORDER);
      return new Found(events, truncated);
    });
  }

  /** The first {@code limit} events, and any more at the last one's position (a position is never split). */
  private static Page cut(Found found, int limit, long watermark) {
    List<Event> events = found.events();
    if (events.size() <= limit && !found.truncated()) {
      return new Page(events, false, watermark);
    }
    int taken = Math.min(limit, events.size());
    if (taken == 0) {
      // (every row found maps to an event: the statements select by the same windows)
      return new Page(List.of(), false, watermark);
    }
    while (taken < events.size() && events.get(taken).position() == events.get(taken - 1).position()) {
      taken++;
    }
    return new Page(new ArrayList<>(events.subList(0, taken)), true, events.get(taken - 1).position());
  }

  private static Tuple bounds(List<Window> windows) {
    Long[] ids = new Long[windows.size()];
    Long[] lo = new Long[windows.size()];
    Long[] hi = new Long[windows.size()];
    for (int i = 0; i < ids.length; i++) {
      Window w = windows.get(i);
      ids[i] = w.id();
      lo[i] = w.lo();
      hi[i] = w.hi();
    }
    return Tuple.tuple().addArrayOfLong(ids).addArrayOfLong(lo).addArrayOfLong(hi);
  }

  /** The event of one row, in the window that holds its position (a group left and joined again has two). */
  private static Event event(int kind, Row row, String me, List<Window> windows) {
    long position = switch (kind) {
      case 0 -> row.getLong("id");
      case 1 -> row.getLong("changed_pos");
      default -> row.getLong("pos");
    };
    Window w = null;
    for (Window candidate : windows) {
      if (candidate.lo() < position && position <= candidate.hi()) {
        w = candidate;
      }
    }
    if (w == null || (kind == 2 && row.getLong("read_message_id") == null)) {
      return null;
    }
    return switch (kind) {
      case 0 -> new Message(w, message(w, row, me), row.getOffsetDateTime("edited_at"));
      case 1 -> new Change(w, position, message(w, row, me), row.getOffsetDateTime("edited_at"),
        row.getOffsetDateTime("deleted_at"));
      case 2 -> new Read(w, position, row.getString("username"), row.getLong("read_message_id"),
        row.getLong("unread"));
      default -> new Membership(w, position, row.getString("username"), row.getBoolean("joined"));
    };
  }

  private static StoredMessage message(Window w, Row row, String me) {
    String from = row.getString("sender");
    return new StoredMessage(row.getLong("id"), row.getLong("seq"), from,
      w.kind() == Kind.CHAT ? w.other(from) : null, w.kind(), w.externalId(), row.getString("content"),
      row.getOffsetDateTime("created_at"), false);
  }
}
