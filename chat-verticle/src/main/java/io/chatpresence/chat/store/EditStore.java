package io.chatpresence.chat.store;

import io.chatpresence.protocol.ProtocolException;
import io.chatpresence.server.db.BatchedStatement;
import io.chatpresence.server.db.UnnestLanes;
import io.chatpresence.server.db.UnnestStatement;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * Edits and deletions of messages (extension {@code edit}). Only the current text is kept: an edit overwrites
 * {@code content}, a deletion erases it and keeps the row (its seq) as a tombstone, so cursors, hasMore and
 * unread stay exact.
 *
 * <p>Each change draws an event position ({@code changed_pos}, from {@code messages_id_seq}) and raises the
 * conversation's {@code events_pos} to it, in one statement that first locks the conversation's row (see
 * migration V5): the lock orders a conversation's changes in commit order and gives the transaction its xid
 * before it draws the position, which the SYNC watermark relies on.
 */
public final class EditStore {
  /**
   * The message with its conversation and whether {@code $2} takes part in it (a chat's participant or a
   * group's member): who may change it is decided on this; the change itself re-checks author and deletion.
   */
  private static final String TARGET =
    "SELECT m.id, m.sender, m.created_at, m.deleted_at, c.id AS conversation_id, c.kind, c.external_id, c.user_a, "
      + "c.user_b, c.name, c.owner, c.member_count, c.members_version, "
      + "CASE WHEN c.kind = 'C' THEN $2 IN (c.user_a, c.user_b) ELSE EXISTS (SELECT 1 FROM group_members gm "
      + "WHERE gm.conversation_id = c.id AND gm.username = $2) END AS takes_part "
      + "FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = $1";
  /** $1 message, $2 new text, $3 author. No row: not the author's, or deleted meanwhile. */
  private static final String EDIT =
    "WITH c AS (SELECT id FROM conversations WHERE id = (SELECT conversation_id FROM messages WHERE id = $1) "
      + "FOR UPDATE), "
      + "e AS (UPDATE messages m SET content = $2, edited_at = now(), changed_pos = nextval('messages_id_seq') "
      + "FROM c WHERE m.id = $1 AND m.conversation_id = c.id AND m.sender = $3 AND m.deleted_at IS NULL "
      + "RETURNING m.changed_pos, m.edited_at), "
      + "b AS (UPDATE conversations cv SET events_pos = greatest(cv.events_pos, e.changed_pos) FROM c, e "
      + "WHERE cv.id = c.id) "
      + "SELECT changed_pos, edited_at FROM e";
  /**
   * $1 message. The text is erased, {@code edited_at} stays; the V3 trigger raises the conversation's
   * {@code last_deleted_seq} (unread counts). No row: deleted already (a repeat changes nothing).
   */
  private static final String DELETE =
    "WITH c AS (SELECT id FROM conversations WHERE id = (SELECT conversation_id FROM messages WHERE id = $1) "
      + "FOR UPDATE), "
      + "d AS (UPDATE messages m SET content = '', deleted_at = now(), changed_pos = nextval('messages_id_seq') "
      + "FROM c WHERE m.id = $1 AND m.conversation_id = c.id AND m.deleted_at IS NULL "
      + "RETURNING m.changed_pos, m.deleted_at), "
      + "b AS (UPDATE conversations cv SET events_pos = greatest(cv.events_pos, d.changed_pos) FROM c, d "
      + "WHERE cv.id = c.id) "
      + "SELECT changed_pos, deleted_at FROM d";

  /**
   * {@link #EDIT} for a batch, as one statement over arrays ($1 message ids, $2 texts, $3 authors;
   * {@link UnnestStatement}), with the effects of one statement per edit in array order: the conversations are
   * locked first (in id order), each message is written once, with the text of its author's last edit in the
   * batch, and draws one position after the locks; every edit of it in the batch is answered with that write.
   * The author is checked on the snapshot (a message's sender never changes), deletion on the row as updated.
   */
  private static final String EDITS = """
    WITH input AS (
      SELECT t.message_id, t.content, t.author, t.ord
      FROM unnest($1::bigint[], $2::text[], $3::text[]) WITH ORDINALITY AS t(message_id, content, author, ord)),
    locked AS (
      SELECT i.message_id, i.content, i.ord, m.conversation_id
      FROM input i JOIN messages m ON m.id = i.message_id AND m.sender = i.author
      JOIN conversations c ON c.id = m.conversation_id
      ORDER BY c.id, i.ord
      FOR UPDATE OF c),
    latest AS MATERIALIZED (
      SELECT DISTINCT ON (message_id) message_id, content FROM locked ORDER BY message_id, ord DESC),
    e AS (
      UPDATE messages m SET content = l.content, edited_at = now(), changed_pos = nextval('messages_id_seq')
      FROM latest l WHERE m.id = l.message_id AND m.deleted_at IS NULL
      RETURNING m.id, m.conversation_id, m.changed_pos, m.edited_at),
    b AS (
      UPDATE conversations cv SET events_pos = greatest(cv.events_pos, x.pos)
      FROM (SELECT conversation_id, max(changed_pos) AS pos FROM e GROUP BY conversation_id) x
      WHERE cv.id = x.conversation_id)
    SELECT l.ord, e.changed_pos, e.edited_at FROM locked l JOIN e ON e.id = l.message_id
    """;
  /**
   * {@link #DELETE} for a batch ($1 message ids): the conversations locked first, each message erased once (one
   * position), answered to the first deletion of it in the batch; a repeat in the batch has no row (deleted
   * already), as it would one statement later.
   */
  private static final String DELETES = """
    WITH input AS (
      SELECT t.message_id, t.ord FROM unnest($1::bigint[]) WITH ORDINALITY AS t(message_id, ord)),
    locked AS (
      SELECT i.message_id, i.ord, m.conversation_id
      FROM input i JOIN messages m ON m.id = i.message_id JOIN conversations c ON c.id = m.conversation_id
      ORDER BY c.id, i.ord
      FOR UPDATE OF c),
    firsts AS MATERIALIZED (
      SELECT DISTINCT ON (message_id) message_id, ord FROM locked ORDER BY message_id, ord),
    d AS (
      UPDATE messages m SET content = '', deleted_at = now(), changed_pos = nextval('messages_id_seq')
      FROM firsts f WHERE m.id = f.message_id AND m.deleted_at IS NULL
      RETURNING m.id, m.conversation_id, m.changed_pos, m.deleted_at),
    b AS (
      UPDATE conversations cv SET events_pos = greatest(cv.events_pos, x.pos)
      FROM (SELECT conversation_id, max(changed_pos) AS pos FROM d GROUP BY conversation_id) x
      WHERE cv.id = x.conversation_id)
    SELECT f.ord, d.changed_pos, d.deleted_at FROM firsts f JOIN d ON d.id = f.message_id
    """;

  /** Batches as for sends and marks: changes that wait together share one statement and one commit. */
  private static final int MAX_BATCH = 256;
  /** Target lookups (reads) pipelined at once. */
  private static final int MAX_READS_IN_FLIGHT = 4;

  private final BatchedStatement targets;
  private final UnnestLanes edits;
  private final UnnestLanes deletions;

  /**
   * {@code lanes}: edit (and deletion) batches committing at once (DB_WRITE_BATCHES), each in the lane of its
   * conversations.
   */
  public EditStore(Pool pool, int lanes) {
    this.targets = new BatchedStatement(pool.preparedQuery(TARGET), MAX_BATCH, MAX_READS_IN_FLIGHT);
    this.edits = new UnnestLanes(pool.preparedQuery(EDITS), pool.preparedQuery(EDIT),
      List.of(Long.class, String.class, String.class), MAX_BATCH, lanes);
    this.deletions = new UnnestLanes(pool.preparedQuery(DELETES), pool.preparedQuery(DELETE),
      List.of(Long.class), MAX_BATCH, lanes);
  }

  /** A message someone wants to change, as found: its conversation, author, and whether it is deleted. */
  public record Target(long id, String sender, OffsetDateTime createdAt, boolean deleted, Conversation conversation) {
    public String messageId() {
      return MessageIds.format(id);
    }
  }

  /**
   * The message {@code messageId} of a conversation {@code username} takes part in: NOT_FOUND for an unknown
   * message and for one of a conversation the user is not in (whether it exists is not theirs to learn).
   */
  public Future<Target> target(long messageId, String username) {
    // a read: no lock to order
    return targets.execute(0, Tuple.of(messageId, username)).compose(rows -> {
      Row row = rows.size() == 0 ? null : rows.iterator().next();
      if (row == null || !row.getBoolean("takes_part")) {
        return Future.failedFuture(notFound(messageId));
      }
      Conversation conv = new Conversation(row.getLong("conversation_id"), Kind.of(row.getString("kind")),
        row.getString("external_id"), row.getString("user_a"), row.getString("user_b"), row.getString("name"),
        row.getString("owner"), row.getInteger("member_count"), row.getLong("members_version"), false);
      return Future.succeededFuture(new Target(messageId, row.getString("sender"),
        row.getOffsetDateTime("created_at"), row.getOffsetDateTime("deleted_at") != null, conv));
    });
  }

  /**
   * Replaces the text of the author's message of conversation {@code conversationId}; committed when it
   * completes. NOT_FOUND if deleted meanwhile. A batch takes its row locks in {@link ConversationStore#lockKey}
   * order, as sends do.
   */
  public Future<OffsetDateTime> edit(long conversationId, long messageId, String author, String content) {
    return edits.execute(conversationId, ConversationStore.lockKey(conversationId, author), Tuple.of(messageId, content, author))
      .compose(rows -> rows.isEmpty()
        ? Future.failedFuture(notFound(messageId))
        : Future.succeededFuture(rows.get(0).getOffsetDateTime("edited_at")));
  }

  /** Erases the message's text; when it completes, the deletion time, or null if it was deleted already. */
  public Future<OffsetDateTime> delete(long conversationId, long messageId) {
    return deletions.execute(conversationId, ConversationStore.lockKey(conversationId, ""), Tuple.of(messageId))
      .map(rows -> rows.isEmpty() ? null : rows.get(0).getOffsetDateTime("deleted_at"));
  }

  static ProtocolException notFound(long messageId) {
    return ProtocolException.notFound("no message " + MessageIds.format(messageId));
  }
}
