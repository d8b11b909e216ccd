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
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Message inserts through the real store on a real PostgreSQL: batched commits, order, failures alone. */
class GroupCommitTest {
  private static Vertx vertx;
  private static Pool pool;
  private static Context context;
  private static ConversationStore store;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    JsonObject config = ConfigKeys.defaults().put(ConfigKeys.PG_URL, TestDatabase.url());
    pool = on(() -> io.vertx.core.Future.succeededFuture(Pools.create(vertx, config)));
    store = new ConversationStore(pool);
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
    return result.get(60, TimeUnit.SECONDS);
  }
}
