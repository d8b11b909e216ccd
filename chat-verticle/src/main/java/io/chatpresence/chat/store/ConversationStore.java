package io.chatpresence.chat.store;

import io.chatpresence.server.db.BatchedStatement;
import io.chatpresence.server.db.UnnestLanes;
import io.chatpresence.server.db.UnnestStatement;
import io.chatpresence.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * SQL for chats, groups, members and messages. Every query reads by key or by (conversation, seq). Returns
 * records ({@link Conversation}, {@link StoredMessage}, ...); rows are read by column name. The wire JSON is
 * built elsewhere (ChatFrames).
 */
public final class ConversationStore {
  private static final String CONVERSATION_COLUMNS =
    "c.id, c.kind, c.external_id, c.user_a, c.user_b, c.name, c.owner, c.member_count, c.members_version";
  private static final String MESSAGE_COLUMNS = "m.id, m.seq, m.sender, m.content, m.created_at";
  private static final String BY_EXTERNAL_ID =
    "SELECT " + CONVERSATION_COLUMNS + " FROM conversations c WHERE c.kind = $1 AND c.external_id = $2";
  private static final String PAIR_CHAT =
    "SELECT " + CONVERSATION_COLUMNS + " FROM conversations c "
      + "WHERE c.kind = 'C' AND c.user_a = $1 AND c.user_b = $2";
  /** The chat and both participants' read positions (at the start: everything the other says is unread). */
  private static final String CREATE_CHAT =
    "WITH c AS (INSERT INTO conversations AS c (kind, external_id, user_a, user_b) VALUES ('C', $1, $2, $3) "
      + "ON CONFLICT DO NOTHING RETURNING c.*), "
      + "p AS (INSERT INTO read_positions (username, conversation_id) SELECT u, c.id FROM c, unnest(ARRAY[$2, $3]::text[]) u "
      + "ON CONFLICT DO NOTHING) "
      + "SELECT " + CONVERSATION_COLUMNS + " FROM c";
  private static final String CHATS_OF =
    "SELECT c.external_id, c.user_a, c.user_b, m.id, m.sender, m.content, m.created_at "
      + "FROM conversations c LEFT JOIN LATERAL (SELECT id, sender, content, created_at FROM messages "
      + "WHERE conversation_id = c.id AND deleted_at IS NULL ORDER BY seq DESC LIMIT 1) m ON true "
      + "WHERE c.kind = 'C' AND (c.user_a = $1 OR c.user_b = $1) "
      + "ORDER BY coalesce(m.created_at, c.created_at) DESC LIMIT 500";
  private static final String CREATE_GROUP =
    "INSERT INTO conversations (kind, external_id, name, owner) VALUES ('G', $1, $2, $3) "
      + "ON CONFLICT (kind, external_id) DO NOTHING";
  /** The join's event position (drawn under the group's row lock, taken by LOCK_GROUP before). */
  private static final String ADD_MEMBER =
    "INSERT INTO group_members (conversation_id, username, joined_pos) VALUES ($1, $2, nextval('messages_id_seq')) "
      + "ON CONFLICT DO NOTHING RETURNING joined_pos";
  /** A new member has read everything said before joining. */
  private static final String JOIN_POSITION =
    "INSERT INTO read_positions AS rp (username, conversation_id, read_seq, read_message_id, prev_read_seq) "
      + "SELECT $2, c.id, c.last_seq, (SELECT m.id FROM messages m WHERE m.conversation_id = c.id AND m.seq = c.last_seq), "
      + "c.last_seq FROM conversations c WHERE c.id = $1 "
      + "ON CONFLICT (username, conversation_id) DO UPDATE SET prev_read_seq = rp.read_seq, "
      + "read_seq = greatest(rp.read_seq, excluded.read_seq), read_message_id = excluded.read_message_id";
  private static final String LEAVE_POSITION =
    "DELETE FROM read_positions WHERE username = $2 AND conversation_id = $1";
  /** $3: the join's position (ADD_MEMBER), recorded as an event (SYNC's INFO joined). */
  private static final String COUNT_JOIN =
    "WITH ev AS (INSERT INTO membership_events (pos, conversation_id, username, joined) VALUES ($3, $1, $2, true)) "
      + "UPDATE conversations SET member_count = member_count + 1, members_version = members_version + 1, "
      + "events_pos = greatest(events_pos, $3) WHERE id = $1";
  private static final String REMOVE_MEMBER =
    "DELETE FROM group_members WHERE conversation_id = $1 AND username = $2";
  /** The leave as an event at a position drawn here, under the group's row lock (LOCK_GROUP). */
  private static final String COUNT_LEAVE =
    "WITH ev AS (INSERT INTO membership_events (pos, conversation_id, username, joined) "
      + "VALUES (nextval('messages_id_seq'), $1, $2, false) RETURNING pos) "
      + "UPDATE conversations c SET member_count = member_count - 1, members_version = members_version + 1, "
      + "events_pos = greatest(c.events_pos, ev.pos) FROM ev WHERE c.id = $1";
  private static final String LOCK_GROUP =
    "SELECT " + CONVERSATION_COLUMNS + " FROM conversations c "
      + "WHERE c.kind = 'G' AND c.external_id = $1 FOR UPDATE";
  private static final String GROUP_FOR_MEMBER =
    "SELECT " + CONVERSATION_COLUMNS
      + ", EXISTS (SELECT 1 FROM group_members gm WHERE gm.conversation_id = c.id AND gm.username = $2) AS is_member "
      + "FROM conversations c WHERE c.kind = 'G' AND c.external_id = $1";
  /** One row: the membership version and, read in the same statement (one snapshot), the names at it. */
  private static final String MEMBERS =
    "SELECT c.members_version, ARRAY(SELECT gm.username FROM group_members gm WHERE gm.conversation_id = c.id) AS names "
      + "FROM conversations c WHERE c.id = $1";
  private static final String GROUPS_OF =
    "SELECT c.external_id, c.name, c.owner, c.member_count FROM group_members gm "
      + "JOIN conversations c ON c.id = gm.conversation_id WHERE gm.username = $1 ORDER BY c.external_id LIMIT 1000";
  /** For a chat row {@code c}: neither participant blocks the other. */
  private static final String NOT_BLOCKED =
    "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = c.user_a AND b.blocked = c.user_b) "
      + "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = c.user_b AND b.blocked = c.user_a)";
  /**
   * One statement: lock the conversation and take the next seq, insert (nothing for a retried clientMsgId),
   * and only if a row went in: advance last_seq and activity to it and move the sender's read position to it.
   * So seq stays dense (a retry burns none: unread counts are differences of seqs) and every message of a
   * sender is at or before the sender's position. prev_read_seq says where the position was.
   * A chat whose pair has a block either way gets no slot, so nothing goes in (two primary-key probes of
   * {@code blocks}, in the statement's snapshot: a block committed before the send began always refuses it;
   * a group's user_a/user_b are NULL and match no row).
   * Event positions (docs/architecture.md): the message's is its id, drawn after the row lock; it becomes
   * events_pos, and the sender's read position's too when it moved past someone else's message (a READ at the
   * same position).
   */
  private static final String INSERT_MESSAGE =
    "WITH slot AS (SELECT c.last_seq + 1 AS seq FROM conversations c WHERE c.id = $1 " + NOT_BLOCKED + " "
      + "AND EXISTS (SELECT 1 FROM users u WHERE u.username = $2) FOR UPDATE), "
      + "ins AS (INSERT INTO messages (conversation_id, seq, sender, content, client_msg_id) "
      + "SELECT $1, slot.seq, $2, $3, $4 FROM slot "
      + "ON CONFLICT (sender, client_msg_id) WHERE client_msg_id IS NOT NULL DO NOTHING "
      + "RETURNING id, seq, created_at), "
      + "bump AS (UPDATE conversations c SET last_seq = ins.seq, activity = ins.id, events_pos = ins.id "
      + "FROM ins WHERE c.id = $1), "
      + "pos AS (INSERT INTO read_positions AS rp (username, conversation_id, read_seq, read_message_id, pos) "
      + "SELECT $2, $1, ins.seq, ins.id, CASE WHEN ins.seq > 1 THEN ins.id ELSE 0 END FROM ins "
      + "ON CONFLICT (username, conversation_id) DO UPDATE "
      + "SET prev_read_seq = rp.read_seq, read_seq = excluded.read_seq, read_message_id = excluded.read_message_id, "
      + "pos = CASE WHEN excluded.read_seq - rp.read_seq > 1 THEN excluded.read_message_id ELSE rp.pos END "
      + "RETURNING rp.prev_read_seq) "
      + "SELECT ins.id, ins.seq, ins.created_at, pos.prev_read_seq, false AS refused FROM ins CROSS JOIN pos";
  /** The pieces of both forms: the input and the checks, up to {@code eligible}'s columns. */
  private static final String MESSAGES_INPUT = """
    WITH input AS (
      SELECT t.conversation_id, t.sender, t.client_msg_id, t.ord
      FROM unnest($1::bigint[], $2::text[], $4::text[]) WITH ORDINALITY AS t(conversation_id, sender, client_msg_id, ord)),
    pairs AS MATERIALIZED (
      SELECT p.conversation_id, p.sender, EXISTS (SELECT 1 FROM users u WHERE u.username = p.sender)
          AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = c.user_a AND b.blocked = c.user_b)
          AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = c.user_b AND b.blocked = c.user_a) AS ok
      FROM (SELECT DISTINCT conversation_id, sender FROM input) p JOIN conversations c ON c.id = p.conversation_id),
    eligible AS (
      SELECT i.*""";
  /** {@code eligible}'s place of a clientMsgId among the checked messages of the batch (1: its first use). */
  private static final String COPY_NUMBER =
    ", row_number() OVER (PARTITION BY i.sender, i.client_msg_id ORDER BY i.ord) AS copy";
  private static final String MESSAGES_LOCKED_TO_DRAWN = """
      FROM input i JOIN pairs p ON p.conversation_id = i.conversation_id AND p.sender = i.sender
      WHERE p.ok),
    locked AS MATERIALIZED (
      SELECT c.id, c.last_seq FROM conversations c
      WHERE c.id IN (SELECT conversation_id FROM pairs WHERE ok)
      ORDER BY c.id
      FOR UPDATE),
    drawn AS MATERIALIZED (
      SELECT n.conversation_id, n.sender, n.client_msg_id, n.ord, n.seq,
             nextval('messages_id_seq') AS id, clock_timestamp() AS created_at
      FROM (SELECT s.*, max(s.last_seq) OVER w + row_number() OVER w - 1 AS seq, count(*) OVER () AS batch_rows
            FROM (SELECT l.id AS conversation_id, NULL::text AS sender, NULL::text AS client_msg_id, 0::bigint AS ord,
                         l.last_seq FROM locked l
                  UNION ALL
                  SELECT e.conversation_id, e.sender, e.client_msg_id, e.ord, NULL FROM eligible e""";
  /** Leaves out a copy in the batch and a clientMsgId the sender used before. */
  private static final String NOT_A_COPY = " WHERE e.client_msg_id IS NULL OR (e.copy = 1 AND NOT EXISTS ("
    + "SELECT 1 FROM messages m WHERE m.sender = e.sender AND m.client_msg_id = e.client_msg_id))";
  private static final String MESSAGES_DRAWN_TO_ANSWERS = """
    ) s
            WINDOW w AS (PARTITION BY s.conversation_id ORDER BY s.ord)) n
      WHERE n.ord > 0),
    ids AS MATERIALIZED (
      SELECT d.*, lag(d.seq) OVER (PARTITION BY d.conversation_id, d.sender ORDER BY d.seq) AS prev_own_seq
      FROM drawn d),
    ins AS (
      INSERT INTO messages (id, conversation_id, seq, sender, content, client_msg_id, created_at)
      SELECT id, conversation_id, seq, sender, ($3::text[])[ord], client_msg_id, created_at FROM ids),
    bump AS (
      UPDATE conversations c SET last_seq = a.seq, activity = a.id, events_pos = a.id
      FROM (SELECT conversation_id, max(seq) AS seq, max(id) AS id FROM ids GROUP BY conversation_id) a
      WHERE c.id = a.conversation_id),
    moves AS (
      SELECT conversation_id, sender, max(seq) AS seq, max(id) AS id, min(seq) AS first_seq, min(id) AS first_id,
             max(id) FILTER (WHERE seq - prev_own_seq > 1) AS jump_id
      FROM ids GROUP BY conversation_id, sender),
    pos AS (
      INSERT INTO read_positions AS rp (username, conversation_id, read_seq, read_message_id, pos, prev_read_seq,
                                        prev_read_message_id)
      SELECT m.sender, m.conversation_id, m.seq, m.id,
             coalesce(m.jump_id, CASE WHEN m.first_seq - coalesce(s.read_seq, 0) > 1 THEN m.first_id
                                      ELSE coalesce(s.pos, 0) END),
             coalesce(s.read_seq, 0), s.pos
      FROM moves m LEFT JOIN read_positions s ON s.username = m.sender AND s.conversation_id = m.conversation_id
      ORDER BY m.sender, m.conversation_id
      ON CONFLICT (username, conversation_id) DO UPDATE SET prev_read_seq = rp.read_seq,
        read_seq = excluded.read_seq, read_message_id = excluded.read_message_id,
        pos = CASE WHEN rp.read_seq = excluded.prev_read_seq AND rp.pos = excluded.prev_read_message_id THEN excluded.pos
          ELSE (SELECT coalesce(m.jump_id, CASE WHEN m.first_seq - rp.read_seq > 1 THEN m.first_id ELSE rp.pos END)
                FROM moves m WHERE m.sender = rp.username AND m.conversation_id = rp.conversation_id) END
      RETURNING rp.username, rp.conversation_id, rp.prev_read_seq)
    SELECT r.ord, r.id, r.seq, r.created_at, r.prev_read_seq, false AS refused FROM (
      SELECT u.ord, u.id, u.seq, u.created_at,
             coalesce(u.prev_own_seq, max(u.prev_first) OVER (PARTITION BY u.sender, u.conversation_id)) AS prev_read_seq
      FROM (SELECT i.ord, i.id, i.seq, i.created_at, i.sender, i.conversation_id, i.prev_own_seq,
                   NULL::bigint AS prev_first FROM ids i
            UNION ALL SELECT NULL, NULL, NULL, NULL, p.username, p.conversation_id, NULL, p.prev_read_seq
            FROM pos p) u) r
    WHERE r.ord IS NOT NULL
    UNION ALL SELECT i.ord, NULL, NULL, NULL, NULL, true
    FROM input i JOIN pairs p ON p.conversation_id = i.conversation_id AND p.sender = i.sender WHERE NOT p.ok
    """;
  /**
   * {@link #INSERT_MESSAGE} for a batch, as one statement over arrays ($1 conversation ids, $2 senders, $3 contents,
   * $4 clientMsgIds; {@link UnnestStatement}), with the same effects as running it once per message in array order.
   * Each conversation and sender is checked and each conversation locked once per batch, not once per message, and
   * the text stays in its array until the insert ({@code $3[ord]}): the steps before it carry narrow rows
   * (docs/performance.md, "A batch's statement, slimmed").
   * <ul>
   * <li>{@code pairs}: each (conversation, sender) of the batch once, refused (a row with {@code refused}) for a chat
   * with a block either way and a sender who is not a user (read in the statement's snapshot, as the one-message
   * form does).</li>
   * <li>{@code locked}: the conversations of the rest, locked FOR UPDATE in id order, with last_seq as of the
   * lock.</li>
   * <li>{@code drawn}: seqs continue each conversation's last_seq in batch order (one window over the locked rows
   * and the messages, the locked row first: no join), and ids are drawn after every lock is held (a window over the
   * whole set reads every locked row before the first id), in (conversation, seq) order, so within a conversation
   * ids rise with seq, as one statement per message would draw them.</li>
   * <li>last_seq/activity/events_pos move to each conversation's last message, and each sender's read position to
   * its last message there; {@code pos} (the position of the last move past someone else's message) from the
   * gaps between a sender's own messages and, for its first one, from the position as it is when written: one
   * upsert, like the one-message form, so a position row deleted or replaced while the batch waited for the lock
   * (a member leaving, and joining again) is written all the same. {@code pos} is worked out beforehand from the
   * position in the statement's snapshot ({@code s}), whose read_seq and pos the new row carries in its
   * {@code prev_} columns (0 and null without one: their defaults). The update takes that {@code pos} when the
   * row still holds that position, and looks the sender's moves up again only when it moved while the batch
   * waited: that look-up scans all the batch's moves, once per row, about a quarter of the statement at one message
   * per conversation. (A row deleted while the batch waited is written as if it were still there, and keeps those
   * {@code prev_} values: nothing reads them before a write sets them.) Written in (sender, conversation) order, as
   * the mark batch writes its readers' ({@link ReadStore}): marks no longer wait on the conversation's row, so this
   * order is what keeps a send batch and a mark batch that move one user's positions from waiting on each other.</li>
   * </ul>
   * Returns per message: ord, id, seq, created_at and where the sender's position was before it (the previous
   * message of the sender in the batch, else the position's previous value, as the upsert returns it: merged by a
   * window over the union, not a join of the two lists).
   * <p>
   * This form does not look for copies: a clientMsgId the sender used before, or twice in the batch, fails the
   * unique index and rolls the batch back, which then runs as {@link #INSERT_MESSAGES_FINDING_COPIES}. A probe of
   * the index per message before the insert descends it twice for every message to find the rare retry (about a
   * fifth of the statement's cost).
   */
  private static final String INSERT_MESSAGES = MESSAGES_INPUT + MESSAGES_LOCKED_TO_DRAWN + MESSAGES_DRAWN_TO_ANSWERS;
  /**
   * {@link #INSERT_MESSAGES} for a batch that holds a copy: a clientMsgId repeated in the batch is a copy (a refused
   * first use does not make a later one a copy, and the refused one is not answered with the later one's message),
   * and one the sender used before is left out (both answered with the first copy after the commit). A clientMsgId
   * raced by a concurrent batch fails the unique index even so: the batch rolls back and is run one message at a
   * time ({@link #INSERT_MESSAGE}'s ON CONFLICT answers it).
   */
  private static final String INSERT_MESSAGES_FINDING_COPIES =
    MESSAGES_INPUT + COPY_NUMBER + MESSAGES_LOCKED_TO_DRAWN + NOT_A_COPY + MESSAGES_DRAWN_TO_ANSWERS;
  private static final String FIRST_COPY =
    "SELECT " + MESSAGE_COLUMNS + ", c.kind, c.external_id, c.user_a, c.user_b "
      + "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
      + "WHERE m.sender = $1 AND m.client_msg_id = $2";
  private static final String CURSOR_SEQ =
    "SELECT seq FROM messages WHERE id = $1 AND conversation_id = $2";

  /**
   * History pages; $4 false leaves deleted messages out (sockets without {@code edit}). The filter is applied
   * before LIMIT, so a page still holds {@code limit} shown messages and the extra row that says hasMore is a
   * shown one too: hasMore and the cursors stay exact however many deleted rows lie in between.
   */
  private static final String HISTORY_COLUMNS = MESSAGE_COLUMNS + ", m.edited_at, m.deleted_at";
  private static final String HISTORY_NEWEST =
    "SELECT " + HISTORY_COLUMNS + " FROM messages m WHERE m.conversation_id = $1 AND $2::bigint IS NULL "
      + "AND ($4 OR m.deleted_at IS NULL) ORDER BY m.seq DESC LIMIT $3";
  private static final String HISTORY_BEFORE =
    "SELECT " + HISTORY_COLUMNS + " FROM messages m WHERE m.conversation_id = $1 AND m.seq < $2 "
      + "AND ($4 OR m.deleted_at IS NULL) ORDER BY m.seq DESC LIMIT $3";
  private static final String HISTORY_AFTER =
    "SELECT " + HISTORY_COLUMNS + " FROM messages m WHERE m.conversation_id = $1 AND m.seq > $2 "
      + "AND ($4 OR m.deleted_at IS NULL) ORDER BY m.seq ASC LIMIT $3";

  /** Chats kept per verticle instance: about 0.3 KB each. */
  private static final int CACHED_CHATS = 50_000;
  /** Inserts per batch. */
  private static final int MAX_BATCH = 256;
  /** A held batch goes as soon as this many wait. */
  private static final int HOLD_BELOW = 32;

  private final Pool pool;
  private final ChatCache chatCache = new ChatCache(CACHED_CHATS);
  private final UnnestLanes messageInserts;

  /**
   * {@code lanes}: insert batches committing at once (DB_INSERT_BATCHES), each in the lane of its conversations and
   * holding a pool connection while out: a conversation's messages commit in the order they were queued.
   */
  public ConversationStore(Pool pool, int lanes) {
    this(pool, lanes, 0);
  }

  /** {@code holdMicros}: how long a lane's next batch may wait for more messages (DB_INSERT_HOLD_MICROS). */
  public ConversationStore(Pool pool, int lanes, long holdMicros) {
    this.pool = pool;
    this.messageInserts = new UnnestLanes(pool.preparedQuery(INSERT_MESSAGES),
      pool.preparedQuery(INSERT_MESSAGES_FINDING_COPIES), pool.preparedQuery(INSERT_MESSAGE),
      List.of(Long.class, String.class, String.class, String.class), MAX_BATCH, lanes, holdMicros, HOLD_BELOW);
  }

  // ---- chats ----------------------------------------------------------------------------------------

  /**
   * The pair's one chat, created on first use. A {@code requestedId} that belongs to another pair is
   * FORBIDDEN; an unknown one names the chat when the pair has none yet, and is otherwise replaced by the
   * pair's chat (the answer carries the real chatId).
   */
  public Future<Conversation> chatFor(String me, String other, String requestedId) {
    String a = me.compareTo(other) < 0 ? me : other;
    String b = me.compareTo(other) < 0 ? other : me;
    Future<Conversation> byId = requestedId == null ? Future.succeededFuture(null) : conversation(Kind.CHAT, requestedId);
    return byId.compose(existing -> {
      if (existing != null) {
        return existing.isParticipant(me) && existing.isParticipant(other)
          ? Future.succeededFuture(existing)
          : Future.failedFuture(ProtocolException.forbidden("chat " + requestedId + " belongs to another pair"));
      }
      return pairChat(a, b).compose(pair -> pair != null
        ? Future.succeededFuture(pair)
        : createChat(a, b, requestedId != null ? requestedId : newId("chat_"))
          .compose(created -> created != null ? Future.succeededFuture(created) : chatFor(me, other, requestedId)));
    });
  }

  /** The pair's chat if there is one (null otherwise); never creates. */
  public Future<Conversation> existingChat(String me, String other) {
    return me.compareTo(other) < 0 ? pairChat(me, other) : pairChat(other, me);
  }

  public Future<Conversation> conversation(Kind kind, String externalId) {
    Conversation cached = kind == Kind.CHAT ? chatCache.byId(externalId) : null;
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return pool.preparedQuery(BY_EXTERNAL_ID)
      .execute(Tuple.of(kind.code(), externalId))
      .map(rows -> chatCache.keep(firstConversation(rows)));
  }

  private Future<Conversation> pairChat(String a, String b) {
    Conversation cached = chatCache.byPair(a, b);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return pool.preparedQuery(PAIR_CHAT)
      .execute(Tuple.of(a, b))
      .map(rows -> chatCache.keep(firstConversation(rows)));
  }

  /** Null when a concurrent request created the pair's chat (or took the id) first: the caller looks again. */
  private Future<Conversation> createChat(String a, String b, String externalId) {
    return pool.preparedQuery(CREATE_CHAT)
      .execute(Tuple.of(externalId, a, b))
      .map(rows -> {
        Conversation created = chatCache.keep(firstConversation(rows));
        return created == null ? null : created.withCreated(true);
      })
      .recover(e -> e instanceof PgException pg && "23503".equals(pg.getSqlState())
        ? Future.failedFuture(ProtocolException.notFound("no such user"))
        : Future.failedFuture(e));
  }

  /** My chats, most recently active first, each with its last message (null when empty). */
  public Future<List<ChatSummary>> chatsOf(String me) {
    return pool.preparedQuery(CHATS_OF)
      .execute(Tuple.of(me))
      .map(rows -> {
        List<ChatSummary> chats = new ArrayList<>(rows.size());
        for (Row row : rows) {
          String chatId = row.getString("external_id");
          String userA = row.getString("user_a");
          String userB = row.getString("user_b");
          String other = me.equals(userA) ? userB : userA;
          StoredMessage last = null;
          Long lastId = row.getLong("id");
          if (lastId != null) {
            String from = row.getString("sender");
            last = new StoredMessage(lastId, 0, from, from.equals(me) ? other : me, Kind.CHAT, chatId,
              row.getString("content"), row.getOffsetDateTime("created_at"), false);
          }
          chats.add(new ChatSummary(chatId, userA, userB, other, last));
        }
        return chats;
      });
  }

  // ---- groups ---------------------------------------------------------------------------------------

  /** Joins, creating the group (joiner as owner) when unknown. Result: the group and whether I was added. */
  public Future<Joined> join(String groupId, String name, String username) {
    return pool.withTransaction(conn -> conn
      .preparedQuery(CREATE_GROUP)
      .execute(Tuple.of(groupId, name, username))
      .compose(r -> lockedGroup(conn, groupId))
      .compose(group -> conn
        .preparedQuery(ADD_MEMBER)
        .execute(Tuple.of(group.id(), username))
        .compose(inserted -> inserted.rowCount() == 0
          ? Future.succeededFuture(new Joined(group, false))
          : conn.preparedQuery(COUNT_JOIN)
            .execute(Tuple.of(group.id(), username, inserted.iterator().next().getLong("joined_pos")))
            .compose(u -> conn.preparedQuery(JOIN_POSITION).execute(Tuple.of(group.id(), username)))
            .map(u -> new Joined(group, true)))));
  }

  public record Joined(Conversation group, boolean added) {
  }

  /** Leaves; NOT_FOUND for an unknown group, FORBIDDEN for a non-member. */
  public Future<Conversation> leave(String groupId, String username) {
    return pool.withTransaction(conn -> lockedGroup(conn, groupId).compose(group -> conn
      .preparedQuery(REMOVE_MEMBER)
      .execute(Tuple.of(group.id(), username))
      .compose(deleted -> deleted.rowCount() == 0
        ? Future.failedFuture(ProtocolException.forbidden("not a member of group " + groupId))
        : conn.preparedQuery(COUNT_LEAVE)
          .execute(Tuple.of(group.id(), username))
          .compose(u -> conn.preparedQuery(LEAVE_POSITION).execute(Tuple.of(group.id(), username)))
          .map(u -> group))));
  }

  private static Future<Conversation> lockedGroup(SqlConnection conn, String groupId) {
    return conn.preparedQuery(LOCK_GROUP)
      .execute(Tuple.of(groupId))
      .compose(rows -> {
        Conversation group = firstConversation(rows);
        return group != null ? Future.succeededFuture(group)
          : Future.failedFuture(ProtocolException.notFound("no group " + groupId));
      });
  }

  /** The group, if {@code username} is a member: NOT_FOUND or FORBIDDEN otherwise. */
  public Future<Conversation> groupForMember(String groupId, String username) {
    return pool.preparedQuery(GROUP_FOR_MEMBER)
      .execute(Tuple.of(groupId, username))
      .compose(rows -> {
        if (rows.size() == 0) {
          return Future.failedFuture(ProtocolException.notFound("no group " + groupId));
        }
        Row row = rows.iterator().next();
        return row.getBoolean("is_member") ? Future.succeededFuture(toConversation(row))
          : Future.failedFuture(ProtocolException.forbidden("not a member of group " + groupId));
      });
  }

  /**
   * The group's members and the membership version they are at (see {@code members_version}); an unknown
   * conversation has none, at version -1.
   */
  public Future<Members> members(long conversationId) {
    return pool.preparedQuery(MEMBERS)
      .execute(Tuple.of(conversationId))
      .map(rows -> {
        if (rows.size() == 0) {
          return new Members(-1, List.of());
        }
        Row row = rows.iterator().next();
        return new Members(row.getLong("members_version"), List.of(row.getArrayOfStrings("names")));
      });
  }

  /** A group's member names at one membership version. */
  public record Members(long version, List<String> names) {
  }

  public Future<List<GroupSummary>> groupsOf(String username) {
    return pool.preparedQuery(GROUPS_OF)
      .execute(Tuple.of(username))
      .map(rows -> {
        List<GroupSummary> groups = new ArrayList<>(rows.size());
        for (Row row : rows) {
          groups.add(new GroupSummary(row.getString("external_id"), row.getString("name"), row.getString("owner"),
            row.getInteger("member_count")));
        }
        return groups;
      });
  }

  // ---- messages -------------------------------------------------------------------------------------

  /**
   * Stores a message, taking the conversation's next sequence in the same statement (the row lock orders
   * concurrent senders). A {@code clientMsgId} the sender used before stores nothing and returns the first
   * message, marked duplicate. Committed when the future succeeds: concurrent inserts share a commit
   * ({@link UnnestStatement}), and a conversation's messages commit in the order they were queued (its lane,
   * {@link UnnestLanes}).
   */
  public Future<StoredMessage> insert(Conversation conv, String sender, String content, String clientMsgId) {
    return messageInserts.execute(conv.id(), lockKey(conv.id(), sender), Tuple.of(conv.id(), sender, content, clientMsgId))
      .compose(rows -> {
        if (rows.isEmpty()) {
          // a retried clientMsgId (its first copy), or a chat with a block (no slot, and no first copy)
          return clientMsgId == null ? Future.failedFuture(blocked(conv)) : firstCopy(sender, clientMsgId)
            .recover(e -> Future.failedFuture(e instanceof java.util.NoSuchElementException ? blocked(conv) : e));
        }
        Row row = rows.get(0);
        if (row.getBoolean("refused")) {
          // a batch says so: a later message of the batch with this clientMsgId is not its first copy
          return Future.failedFuture(blocked(conv));
        }
        long seq = row.getLong("seq");
        // every seq between the old position and this message is someone else's (the sender's own are all at
        // or before the position, and seqs are dense)
        boolean readPastOthers = seq - row.getLong("prev_read_seq") > 1;
        return Future.succeededFuture(new StoredMessage(row.getLong("id"), seq, sender,
          conv.isChat() ? conv.otherParticipant(sender) : null, conv.kind(), conv.externalId(),
          content, row.getOffsetDateTime("created_at"), false, readPastOthers));
      });
  }

  private static Exception blocked(Conversation conv) {
    return conv.isChat() ? ProtocolException.forbidden("not sent: one of you blocks the other")
      : new IllegalStateException("no slot in conversation " + conv.id());
  }

  private Future<StoredMessage> firstCopy(String sender, String clientMsgId) {
    return pool.preparedQuery(FIRST_COPY)
      .execute(Tuple.of(sender, clientMsgId))
      .map(rows -> {
        Row row = rows.iterator().next();
        Kind kind = Kind.of(row.getString("kind"));
        String userA = row.getString("user_a");
        String to = kind == Kind.CHAT ? (sender.equals(userA) ? row.getString("user_b") : userA) : null;
        return new StoredMessage(row.getLong("id"), row.getLong("seq"), sender, to, kind, row.getString("external_id"),
          row.getString("content"), row.getOffsetDateTime("created_at"), true);
      });
  }

  /**
   * A page of history by sequence. Newest {@code limit} (before {@code beforeId} when given), or oldest
   * {@code limit} after {@code afterId}; returned oldest first, with whether more exist that way. Deleted
   * messages are in it (as tombstones: empty content, {@code deletedAt}) only with {@code withDeleted}.
   */
  public Future<Page> history(Conversation conv, int limit, Long beforeId, Long afterId, boolean withDeleted) {
    Long cursor = beforeId != null ? beforeId : afterId;
    Future<Long> cursorSeq = cursor == null ? Future.succeededFuture(null)
      : pool.preparedQuery(CURSOR_SEQ)
        .execute(Tuple.of(cursor, conv.id()))
        .compose(rows -> rows.size() == 0
          ? Future.failedFuture(ProtocolException.notFound("message " + MessageIds.format(cursor) + " is not in this conversation"))
          : Future.succeededFuture(rows.iterator().next().getLong("seq")));
    boolean forward = afterId != null;
    return cursorSeq.compose(seq -> {
      String query = seq == null ? HISTORY_NEWEST : forward ? HISTORY_AFTER : HISTORY_BEFORE;
      return pool.preparedQuery(query).execute(Tuple.of(conv.id(), seq, limit + 1, withDeleted));
    }).map(rows -> toPage(conv, rows, limit, forward));
  }

  public record Page(List<StoredMessage> messages, boolean hasMore) {
  }

  private static Page toPage(Conversation conv, RowSet<Row> rows, int limit, boolean forward) {
    List<StoredMessage> messages = new ArrayList<>(Math.min(rows.size(), limit));
    for (Row row : rows) {
      if (messages.size() == limit) {
        break;
      }
      String from = row.getString("sender");
      messages.add(new StoredMessage(row.getLong("id"), row.getLong("seq"), from,
        conv.isChat() ? conv.otherParticipant(from) : null, conv.kind(), conv.externalId(),
        row.getString("content"), row.getOffsetDateTime("created_at"), false, false,
        row.getOffsetDateTime("edited_at"), row.getOffsetDateTime("deleted_at")));
    }
    if (!forward) {
      java.util.Collections.reverse(messages);
    }
    return new Page(messages, rows.size() > limit);
  }

  // ---- helpers --------------------------------------------------------------------------------------

  /**
   * The order in which batches ({@link BatchedStatement}) take row locks: by conversation, then by user, the same
   * for message inserts (the conversation row, then the sender's read position) and read marks (the
   * conversation's conversation_reads row, then the reader's position; both kinds write positions in (user,
   * conversation) order), so two batches cannot wait for each other in a cycle. (Users whose low 20 hash bits collide may
   * still meet in another order; PostgreSQL then refuses one batch, which is retried one statement at a time.)
   */
  public static long lockKey(long conversationId, String username) {
    return (conversationId << 20) | (username.hashCode() & 0xFFFFF);
  }

  private static Conversation firstConversation(RowSet<Row> rows) {
    return rows.size() == 0 ? null : toConversation(rows.iterator().next());
  }

  private static Conversation toConversation(Row row) {
    return new Conversation(row.getLong("id"), Kind.of(row.getString("kind")), row.getString("external_id"),
      row.getString("user_a"), row.getString("user_b"), row.getString("name"), row.getString("owner"),
      row.getInteger("member_count"), row.getLong("members_version"), false);
  }

  static String newId(String prefix) {
    return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  public static String newGroupId() {
    return newId("group_");
  }
}
