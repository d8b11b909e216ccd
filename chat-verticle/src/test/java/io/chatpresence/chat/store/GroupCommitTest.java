package io.chatpresence.chat.store;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.db.Pools;
import io.chatpresence.server.testing.TestDatabase;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Message inserts, read marks, edits and deletions through the real stores on a real PostgreSQL: batched commits, order, failures alone. */
class GroupCommitTest {
  private static Vertx vertx;
  private static Pool pool;
  private static Context context;
  private static ConversationStore store;
  private static ReadStore reads;
  private static EditStore edits;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    JsonObject config = ConfigKeys.defaults().put(ConfigKeys.PG_URL, TestDatabase.url());
    pool = on(() -> io.vertx.core.Future.succeededFuture(Pools.create(vertx, config)));
    // one lane: a batch in flight for one conversation (busy) makes the next writes of any conversation wait and go
    // together, as one batch (the lanes have a test of their own)
    store = new ConversationStore(pool, 1);
    // marking reads neither the SYNC watermark nor tokens (the inbox does)
    reads = new ReadStore(pool, null, null, 1);
    edits = new EditStore(pool, 1);
  }

  @AfterAll
  static void stop() throws Exception {
    on(() -> pool.close());
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void concurrentInsertsShareCommitsAndEachGetsItsOwnRow() throws Exception {
    Conversation chat = newChat();
    int count = 500;
    List<StoredMessage> stored = on(() -> {
      List<Future<StoredMessage>> inserts = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        inserts.add(store.insert(chat, chat.userA(), "m" + i, null));
      }
      return Future.all(inserts).map(all -> all.<StoredMessage>list());
    });
    List<Row> rows = rows("SELECT seq, content, xmin::text FROM messages WHERE conversation_id = $1 ORDER BY seq",
      chat.id());
    assertEquals(count, rows.size());
    Set<String> transactions = new HashSet<>();
    for (int i = 0; i < count; i++) {
      Row row = rows.get(i);
      assertEquals(i + 1, row.getLong(0), "sequences 1.." + count + " without gaps");
      int sent = Integer.parseInt(row.getString(1).substring(1));
      assertEquals(row.getLong(0), stored.get(sent).seq(), "each insert is answered with its own row");
      transactions.add(row.getString(2));
    }
    assertTrue(transactions.size() < count / 10,
      count + " concurrent inserts should share commits, took " + transactions.size() + " transactions");
  }

  @Test
  void aRowTheDatabaseRefusesFailsAloneAndTheOthersAreStored() throws Exception {
    Conversation chat = newChat();
    int count = 20;
    int bad = 12;
    List<Throwable> failures = new ArrayList<>();
    List<StoredMessage> stored = on(() -> {
      List<Future<StoredMessage>> inserts = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        // PostgreSQL refuses a NUL in text: the whole batch rolls back, then each row is tried alone
        String content = i == bad ? "bad\u0000row" : "m" + i;
        inserts.add(store.insert(chat, chat.userA(), content, null).onFailure(failures::add));
      }
      return Future.join(inserts).transform(ar -> {
        List<StoredMessage> ok = new ArrayList<>();
        inserts.forEach(f -> {
          if (f.succeeded()) {
            ok.add(f.result());
          }
        });
        return Future.succeededFuture(ok);
      });
    });
    assertEquals(1, failures.size(), "only the bad row fails: " + failures);
    assertInstanceOf(PgException.class, failures.get(0));
    assertEquals(count - 1, stored.size());
    List<Row> rows = rows("SELECT seq, content FROM messages WHERE conversation_id = $1 ORDER BY seq", chat.id());
    assertEquals(count - 1, rows.size());
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(i + 1, rows.get(i).getLong(0), "no gap left by the rolled-back batch");
      assertFalse(rows.get(i).getString(1).startsWith("bad"));
    }
  }

  @Test
  void aRepeatedClientMsgIdInOneBatchIsStoredOnce() throws Exception {
    Conversation chat = newChat();
    List<StoredMessage> stored = on(() -> {
      List<Future<StoredMessage>> inserts = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        // the first few go alone; the same id twice then lands in one batch
        inserts.add(store.insert(chat, chat.userA(), "m" + i, i >= 6 ? "same-id" : null));
      }
      return Future.all(inserts).map(all -> all.<StoredMessage>list());
    });
    long duplicates = stored.stream().filter(StoredMessage::duplicate).count();
    assertEquals(3, duplicates, "every repeat of the id returns the first copy");
    assertEquals(1, stored.subList(6, 10).stream().map(StoredMessage::messageId).distinct().count());
    assertEquals(7, rows("SELECT 1 FROM messages WHERE conversation_id = $1", chat.id()).size());
  }

  @Test
  void aBatchOverSeveralConversationsHasTheEffectsOfOneStatementPerMessage() throws Exception {
    Conversation one = newChat();
    Conversation two = newChat();
    int count = 200;
    // senders and conversations interleaved irregularly, so that senders jump past each other's messages
    List<Conversation> where = new ArrayList<>();
    List<String> who = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Conversation conv = i % 3 == 0 ? two : one;
      where.add(conv);
      who.add(i % 5 < 2 ? conv.userA() : conv.userB());
    }
    List<StoredMessage> stored = on(() -> {
      List<Future<StoredMessage>> inserts = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        inserts.add(store.insert(where.get(i), who.get(i), "m" + i, null));
      }
      return Future.all(inserts).map(all -> all.<StoredMessage>list());
    });
    for (Conversation conv : List.of(one, two)) {
      List<Row> rows = rows("SELECT id, seq, sender FROM messages WHERE conversation_id = $1 ORDER BY seq", conv.id());
      java.util.Map<String, Long> lastSeqOf = new java.util.HashMap<>();
      java.util.Map<String, Long> lastJumpOf = new java.util.HashMap<>();
      long previousId = 0;
      for (int i = 0; i < rows.size(); i++) {
        Row row = rows.get(i);
        long id = row.getLong(0);
        long seq = row.getLong(1);
        String sender = row.getString(2);
        assertEquals(i + 1, seq, "dense sequences in " + conv.externalId());
        assertTrue(id > previousId, "ids rise with seq within a conversation");
        previousId = id;
        boolean jumped = seq - lastSeqOf.getOrDefault(sender, 0L) > 1;
        StoredMessage answer = stored.stream().filter(m -> m.id() == id).findFirst().orElseThrow();
        assertEquals(seq, answer.seq());
        assertEquals(jumped, answer.readPastOthers(), "message " + seq + " read past others' messages");
        if (jumped) {
          lastJumpOf.put(sender, id);
        }
        lastSeqOf.put(sender, seq);
      }
      Row conversation = rows("SELECT last_seq, activity, events_pos FROM conversations WHERE id = $1", conv.id()).get(0);
      assertEquals(rows.size(), conversation.getLong(0));
      assertEquals(previousId, conversation.getLong(1));
      assertEquals(previousId, conversation.getLong(2));
      for (String user : List.of(conv.userA(), conv.userB())) {
        Row position = rows("SELECT read_seq, read_message_id, pos FROM read_positions WHERE conversation_id = $1 "
          + "AND username = '" + user + "'", conv.id()).get(0);
        long last = lastSeqOf.get(user);
        assertEquals(last, position.getLong(0), user + "'s position is at its last message");
        assertEquals(rows.get((int) last - 1).getLong(0), position.getLong(1));
        assertEquals(lastJumpOf.getOrDefault(user, 0L), position.getLong(2), user + "'s last move past others");
      }
    }
  }

  @Test
  void aClientMsgIdStoredBeforeIsAnsweredWithItsFirstCopyInsideABatch() throws Exception {
    Conversation chat = newChat();
    StoredMessage first = on(() -> store.insert(chat, chat.userA(), "first", "id-1"));
    List<StoredMessage> stored = on(() -> {
      List<Future<StoredMessage>> inserts = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        inserts.add(store.insert(chat, chat.userA(), "m" + i, i == 9 ? "id-1" : "other-" + i));
      }
      return Future.all(inserts).map(all -> all.<StoredMessage>list());
    });
    assertTrue(stored.get(9).duplicate());
    assertEquals(first.id(), stored.get(9).id());
    assertEquals(1, stored.stream().filter(StoredMessage::duplicate).count());
    List<Row> rows = rows("SELECT seq FROM messages WHERE conversation_id = $1 ORDER BY seq", chat.id());
    assertEquals(12, rows.size());
    assertEquals(12, rows.get(11).getLong(0), "the repeat burnt no seq");
  }

  @Test
  void aBlockedChatInABatchIsRefusedAndTheOthersAreStored() throws Exception {
    Conversation open = newChat();
    Conversation blocked = newChat();
    on(() -> pool.preparedQuery("INSERT INTO blocks (blocker, blocked) VALUES ($1, $2)")
      .execute(Tuple.of(blocked.userB(), blocked.userA())));
    List<Future<StoredMessage>> inserts = new ArrayList<>();
    on(() -> {
      for (int i = 0; i < 20; i++) {
        Conversation conv = i % 2 == 0 ? open : blocked;
        inserts.add(store.insert(conv, conv.userA(), "m" + i, i % 4 == 1 ? "b-" + i : null));
      }
      return Future.join(inserts).transform(ar -> Future.succeededFuture());
    });
    for (int i = 0; i < 20; i++) {
      assertEquals(i % 2 == 0, inserts.get(i).succeeded(), "message " + i);
      if (i % 2 == 1) {
        assertInstanceOf(io.chatpresence.protocol.ProtocolException.class, inserts.get(i).cause());
      }
    }
    assertEquals(10, rows("SELECT 1 FROM messages WHERE conversation_id = $1", open.id()).size());
    assertEquals(0, rows("SELECT 1 FROM messages WHERE conversation_id = $1", blocked.id()).size());
  }

  /**
   * Marks lock the conversation's conversation_reads row, sends its conversations row (migration V8): neither
   * waits for the other's transaction. A held lock stands for a send (or a mark) still running; the other kind of
   * write must complete while it is held (a wait would run into the 20 s deadline).
   */
  @Test
  void marksAndSendsOfOneConversationDoNotWaitForEachOther() throws Exception {
    Conversation chat = newChat();
    long first = on(() -> store.insert(chat, chat.userB(), "one", null)).id();
    long second = on(() -> store.insert(chat, chat.userB(), "two", null)).id();
    long third = on(() -> store.insert(chat, chat.userB(), "three", null)).id();
    SqlConnection sending = holdingLock("SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE", chat.id());
    try {
      // the first goes alone (the one-mark statement), the two after it wait together (the batch statement)
      List<Future<ReadStore.Marked>> marks = on(() -> {
        List<Future<ReadStore.Marked>> all = List.of(reads.markRead(chat, chat.userA(), first),
          reads.markRead(chat, chat.userA(), second), reads.markRead(chat, chat.userA(), third));
        return Future.join(all).map(done -> all);
      }, 20);
      assertMarked(marks.get(0), first, true, 2);
      assertMarked(marks.get(2), third, true, 0);
    } finally {
      on(() -> sending.close());
    }
    SqlConnection marking = holdingLock("SELECT 1 FROM conversation_reads WHERE conversation_id = $1 FOR UPDATE", chat.id());
    try {
      StoredMessage sent = on(() -> store.insert(chat, chat.userA(), "while a mark runs", null), 20);
      assertEquals(4, sent.seq());
    } finally {
      on(() -> marking.close());
    }
  }

  /** A connection in a transaction that holds the row lock {@code lockSql} takes ($1: the conversation). */
  private static SqlConnection holdingLock(String lockSql, long conversationId) throws Exception {
    SqlConnection conn = on(() -> pool.getConnection());
    on(() -> conn.begin().compose(tx -> conn.preparedQuery(lockSql).execute(Tuple.of(conversationId))));
    return conn;
  }

  @Test
  void marksInOneBatchAreAnsweredAsIfAppliedOneAfterAnotherAndThePositionOnlyMovesForward() throws Exception {
    Conversation chat = newChat();
    Conversation other = newChat();
    List<Long> ids = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      String text = "m" + i;
      ids.add(on(() -> store.insert(chat, chat.userB(), text, null)).id());
    }
    long foreign = on(() -> store.insert(other, other.userB(), "elsewhere", null)).id();
    String reader = chat.userA();
    // marks of seqs 3, 7, 5, 7, 2, 9, then a message of another conversation, all in one batch
    List<Future<ReadStore.Marked>> marks = markInOneBatch(chat, reader,
      List.of(ids.get(2), ids.get(6), ids.get(4), ids.get(6), ids.get(1), ids.get(8), foreign), other);
    assertMarked(marks.get(0), ids.get(2), true, 7);
    assertMarked(marks.get(1), ids.get(6), true, 3);
    assertMarked(marks.get(2), ids.get(6), false, 3);
    assertMarked(marks.get(3), ids.get(6), false, 3);
    assertMarked(marks.get(4), ids.get(6), false, 3);
    assertMarked(marks.get(5), ids.get(8), true, 1);
    assertTrue(marks.get(6).failed(), "a message of another conversation is NOT_FOUND");
    // a position already past a mark: answered with where it is
    List<Future<ReadStore.Marked>> later = markInOneBatch(chat, reader, List.of(ids.get(3), ids.get(9)), other);
    assertMarked(later.get(0), ids.get(8), false, 1);
    assertMarked(later.get(1), ids.get(9), true, 0);
    Row position = rows("SELECT read_seq, read_message_id, pos, prev_read_message_id FROM read_positions "
      + "WHERE conversation_id = $1 AND username = '" + reader + "'", chat.id()).get(0);
    assertEquals(10, position.getLong(0));
    assertEquals(ids.get(9), position.getLong(1));
    assertEquals(ids.get(8), position.getLong(3), "the batch went as one statement (only it notes the previous id)");
    assertEquals(position.getLong(2),
      rows("SELECT pos FROM conversation_reads WHERE conversation_id = $1", chat.id()).get(0).getLong(0),
      "the move is the conversation's latest read-position move");
  }

  @Test
  void aClientMsgIdRefusedInABlockedChatIsStillNewInTheNextConversationOfTheBatch() throws Exception {
    Conversation blocked = newChat();
    String sender = blocked.userA();
    String third = "gc_c_" + UUID.randomUUID().toString().substring(0, 8);
    on(() -> pool.preparedQuery("INSERT INTO users (username, password_hash) VALUES ($1, 'x')").execute(Tuple.of(third)));
    Conversation open = on(() -> store.chatFor(sender, third, null));
    Conversation busy = newChat();
    on(() -> pool.preparedQuery("INSERT INTO blocks (blocker, blocked) VALUES ($1, $2)")
      .execute(Tuple.of(blocked.userB(), sender)));
    List<Future<StoredMessage>> sends = new ArrayList<>();
    on(() -> {
      sends.add(store.insert(busy, busy.userA(), "takes the in-flight slot", null));
      sends.add(store.insert(blocked, sender, "refused", "same-id"));
      sends.add(store.insert(open, sender, "stored", "same-id"));
      return Future.join(new ArrayList<>(sends)).transform(ar -> Future.succeededFuture());
    });
    assertInstanceOf(io.chatpresence.protocol.ProtocolException.class, sends.get(1).cause());
    assertTrue(sends.get(2).succeeded(), () -> "refused: " + sends.get(2).cause());
    assertFalse(sends.get(2).result().duplicate());
    assertEquals(1, rows("SELECT 1 FROM messages WHERE conversation_id = $1", open.id()).size());
  }

  @Test
  void aSendersPositionDeletedWhileTheBatchWaitsForTheLockIsWrittenAgain() throws Exception {
    Conversation chat = newChat();
    Conversation busy = newChat();
    // another transaction holds the conversation's row, as a leave does while it deletes the member's position
    Held held = Held.hold(chat);
    List<Future<StoredMessage>> sends = batchWaitingFor(busy, chat, chat.userA(), chat.userB());
    held.execute("DELETE FROM read_positions WHERE conversation_id = $1 AND username = $2", Tuple.of(chat.id(), chat.userB()));
    held.release();
    on(() -> Future.join(new ArrayList<>(sends)).transform(ar -> Future.succeededFuture()));
    assertTrue(sends.get(2).succeeded(), () -> "failed: " + sends.get(2).cause());
    Row position = rows("SELECT read_seq FROM read_positions WHERE conversation_id = $1 AND username = '"
      + chat.userB() + "'", chat.id()).get(0);
    assertEquals(sends.get(2).result().seq(), position.getLong(0), "b's position is at b's message again");
  }

  @Test
  void aSendersPositionMovedWhileTheBatchWaitsForTheLockIsReadAsItIsThen() throws Exception {
    Conversation chat = newChat();
    Conversation busy = newChat();
    on(() -> store.insert(chat, chat.userB(), "one", null));
    on(() -> store.insert(chat, chat.userB(), "two", null));
    // another transaction holds the conversation's row, as a MARK_READ batch does while it moves a's position
    Held held = Held.hold(chat);
    List<Future<StoredMessage>> sends = batchWaitingFor(busy, chat, chat.userA(), chat.userA());
    held.execute("UPDATE read_positions SET read_seq = 2, pos = 7 WHERE conversation_id = $1 AND username = $2",
      Tuple.of(chat.id(), chat.userA()));
    held.release();
    on(() -> Future.join(new ArrayList<>(sends)).transform(ar -> Future.succeededFuture()));
    assertTrue(sends.get(1).succeeded(), () -> "failed: " + sends.get(1).cause());
    StoredMessage sent = sends.get(1).result();
    assertEquals(3, sent.seq());
    assertFalse(sent.readPastOthers(), "the position had moved to the message before: nothing read past");
    Row position = rows("SELECT read_seq, prev_read_seq, pos FROM read_positions WHERE conversation_id = $1 AND username = '"
      + chat.userA() + "'", chat.id()).get(0);
    assertEquals(4, position.getLong(0));
    assertEquals(2, position.getLong(1), "where the position was when the batch wrote it, not in its snapshot");
    assertEquals(7, position.getLong(2), "the last move past others stays the one made while the batch waited");
  }

  @Test
  void aConversationWaitingForItsLockHoldsUpOnlyItsOwnLane() throws Exception {
    ConversationStore twoLanes = new ConversationStore(pool, 2);
    Conversation held = newChat();
    Conversation other = newChat();
    while (other.id() % 2 == held.id() % 2) {
      other = newChat();
    }
    Conversation free = other;
    Held lock = Held.hold(held);
    List<Future<StoredMessage>> waiting = new ArrayList<>();
    try {
      on(() -> {
        for (int i = 0; i < 3; i++) {
          waiting.add(twoLanes.insert(held, held.userA(), "waits " + i, null));
        }
        return Future.succeededFuture();
      });
      StoredMessage passed = on(() -> twoLanes.insert(free, free.userA(), "goes by", null));
      assertEquals(1, passed.seq());
      assertTrue(waiting.stream().noneMatch(Future::isComplete), "the held conversation's messages still wait");
    } finally {
      lock.release();
    }
    on(() -> Future.join(new ArrayList<>(waiting)).transform(ar -> Future.succeededFuture()));
    for (int i = 0; i < 3; i++) {
      assertTrue(waiting.get(i).succeeded(), "failed: " + waiting.get(i).cause());
      assertEquals(i + 1, waiting.get(i).result().seq(), "a lane commits its conversation's messages in order");
    }
  }

  @Test
  void editsAndDeletionsInOneBatchWriteEachMessageOnceAsIfAppliedInOrder() throws Exception {
    Conversation chat = newChat();
    Conversation other = newChat();
    String author = chat.userA();
    long first = on(() -> store.insert(chat, author, "one", null)).id();
    long second = on(() -> store.insert(chat, author, "two", null)).id();
    long busyEdit = on(() -> store.insert(other, other.userA(), "busy", null)).id();
    long busyDelete = on(() -> store.insert(other, other.userA(), "busy too", null)).id();
    List<Future<?>> changes = new ArrayList<>();
    on(() -> {
      // the first change of each kind takes the in-flight slot; the rest wait and go as one batch each
      changes.add(edits.edit(other.id(), busyEdit, other.userA(), "busy, edited"));
      changes.add(edits.delete(other.id(), busyDelete));
      changes.add(edits.edit(chat.id(), first, author, "one, edited"));
      changes.add(edits.edit(chat.id(), first, chat.userB(), "not the author's"));
      changes.add(edits.edit(chat.id(), first, author, "one, edited twice"));
      changes.add(edits.delete(chat.id(), second));
      changes.add(edits.delete(chat.id(), second));
      return Future.join(new ArrayList<>(changes)).transform(ar -> Future.succeededFuture());
    });
    assertTrue(changes.get(2).succeeded());
    assertTrue(changes.get(3).failed(), "only the author edits");
    assertTrue(changes.get(4).succeeded());
    assertEquals(changes.get(2).result(), changes.get(4).result(),
      "both edits are answered with the one write of the batch's statement (one at a time, each has its own time)");
    assertTrue(changes.get(5).succeeded() && changes.get(5).result() != null, "the first deletion erases");
    assertTrue(changes.get(6).succeeded() && changes.get(6).result() == null, "a repeat finds it deleted");
    List<Row> rows = rows("SELECT id, content, deleted_at IS NOT NULL, changed_pos FROM messages "
      + "WHERE conversation_id = $1 ORDER BY seq", chat.id());
    assertEquals("one, edited twice", rows.get(0).getString(1), "the last edit in the batch wins");
    assertEquals("", rows.get(1).getString(1));
    assertTrue(rows.get(1).getBoolean(2));
    long latest = Math.max(rows.get(0).getLong(3), rows.get(1).getLong(3));
    assertTrue(rows.get(0).getLong(3) > second && rows.get(1).getLong(3) > second, "changes draw new positions");
    assertEquals(latest, rows("SELECT events_pos FROM conversations WHERE id = $1", chat.id()).get(0).getLong(0));
  }

  /**
   * Marks {@code messageIds} in {@code chat} so that they go as one batch: marks in {@code busy} go first and take
   * the one lane's in-flight slot, and the rest wait together.
   */
  private static List<Future<ReadStore.Marked>> markInOneBatch(Conversation chat, String reader, List<Long> messageIds,
                                                               Conversation busy) throws Exception {
    List<Future<ReadStore.Marked>> marks = new ArrayList<>();
    long busyMessage = rows("SELECT max(id) FROM messages WHERE conversation_id = $1", busy.id()).get(0).getLong(0);
    on(() -> {
      List<Future<ReadStore.Marked>> all = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        all.add(reads.markRead(busy, busy.userA(), busyMessage));
      }
      for (long id : messageIds) {
        Future<ReadStore.Marked> mark = reads.markRead(chat, reader, id);
        marks.add(mark);
        all.add(mark);
      }
      return Future.join(all).transform(ar -> Future.succeededFuture());
    });
    return marks;
  }

  /** A transaction of its own holding a conversation's row (FOR UPDATE), as a leave or a mark batch does. */
  private record Held(io.vertx.sqlclient.SqlConnection conn, io.vertx.sqlclient.Transaction tx) {
    static Held hold(Conversation conv) throws Exception {
      io.vertx.sqlclient.SqlConnection conn = on(() -> pool.getConnection());
      io.vertx.sqlclient.Transaction tx = on(() -> conn.begin());
      on(() -> conn.preparedQuery("SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE").execute(Tuple.of(conv.id())));
      return new Held(conn, tx);
    }

    void execute(String sql, Tuple params) throws Exception {
      on(() -> conn.preparedQuery(sql).execute(params));
    }

    void release() throws Exception {
      on(() -> tx.commit());
      on(() -> conn.close());
    }
  }

  /**
   * One message of {@code busy} (it takes the lane's in-flight slot), then one of {@code chat} from each sender,
   * which go together as the next batch; returns once that batch waits for {@code chat}'s row lock (held).
   */
  private static List<Future<StoredMessage>> batchWaitingFor(Conversation busy, Conversation chat, String... senders)
    throws Exception {
    List<Future<StoredMessage>> sends = new ArrayList<>();
    on(() -> {
      sends.add(store.insert(busy, busy.userA(), "takes the in-flight slot", null));
      for (String sender : senders) {
        sends.add(store.insert(chat, sender, "from " + sender, null));
      }
      return Future.succeededFuture();
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> !rows("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
      + "AND query LIKE '%WITH input AS%' AND $1::bigint IS NOT NULL", chat.id()).isEmpty());
    return sends;
  }

  private static void assertMarked(Future<ReadStore.Marked> mark, long readMessageId, boolean moved, long unread) {
    assertTrue(mark.succeeded(), () -> "mark failed: " + mark.cause());
    assertEquals(new ReadStore.Marked(readMessageId, moved, unread), mark.result());
  }

  private static Conversation newChat() throws Exception {
    String a = "gc_a_" + UUID.randomUUID().toString().substring(0, 8);
    String b = "gc_b_" + UUID.randomUUID().toString().substring(0, 8);
    on(() -> pool.preparedQuery("INSERT INTO users (username, password_hash) VALUES ($1, 'x'), ($2, 'x')")
      .execute(Tuple.of(a, b)));
    return on(() -> store.chatFor(a, b, null));
  }

  private static List<Row> rows(String sql, long conversationId) throws Exception {
    return on(() -> pool.preparedQuery(sql).execute(Tuple.of(conversationId)).map(rs -> {
      List<Row> list = new ArrayList<>();
      rs.forEach(list::add);
      return list;
    }));
  }

  /** Runs on the store's one context (it is confined to an event loop) and waits for the result. */
  private static <T> T on(Callable<Future<T>> action) throws Exception {
    return on(action, 60);
  }

  private static <T> T on(Callable<Future<T>> action, int seconds) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        action.call().onComplete(ar -> {
          if (ar.succeeded()) {
            result.complete(ar.result());
          } else {
            result.completeExceptionally(ar.cause());
          }
        });
      } catch (Exception e) {
        result.completeExceptionally(e);
      }
    });
    return result.get(seconds, TimeUnit.SECONDS);
  }
}
