package io.chatpresence.launcher;

import io.chatpresence.chat.store.SyncStore;
import io.chatpresence.server.db.Pools;
import io.chatpresence.server.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static io.chatpresence.launcher.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SYNC reads a conversation's messages after a position by seq (there is no index on (conversation_id, id)):
 * whichever way it finds the seq at the position (among the last 64 messages, before the first one, or by
 * halving), it answers exactly what an id range would, in a conversation of 300 messages whose ids interleave
 * with another conversation's, with a hole in its seqs (a retry before V3) and a deleted message.
 */
@ExtendWith(VertxExtension.class)
class SyncMessagesTest {
  private static Pool pool;
  private static long chat;
  private static final List<Long> ids = new ArrayList<>(); // the chat's message ids by seq (index 0: seq 1)
  private static long hi;

  @BeforeAll
  static void fill(Vertx vertx) {
    pool = PgBuilder.pool().connectingTo(Pools.connectOptions(TestDatabase.url())).using(vertx).build();
    String p = "smsg" + System.nanoTime() % 100_000;
    await(pool.preparedQuery("INSERT INTO users (username, password_hash) VALUES ($1 || '_a', 'x'), ($1 || '_b', 'x'), "
      + "($1 || '_c', 'x')").execute(Tuple.of(p)));
    List<Long> convs = new ArrayList<>();
    for (Row r : await(pool.preparedQuery("INSERT INTO conversations (kind, external_id, user_a, user_b, last_seq) "
      + "VALUES ('C', $1 || '_ab', $1 || '_a', $1 || '_b', 300), ('C', $1 || '_ac', $1 || '_a', $1 || '_c', 300) "
      + "RETURNING id").execute(Tuple.of(p)))) {
      convs.add(r.getLong(0));
    }
    chat = convs.get(0);
    // ids drawn in (s, conversation) order: the two conversations' messages interleave; seq 150 of the chat is a hole
    await(pool.preparedQuery("INSERT INTO messages (conversation_id, seq, sender, content) "
      + "SELECT c, s, $2 || '_a', 'm' || s FROM generate_series(1, 300) s, unnest($1::bigint[]) c "
      + "WHERE NOT (c = $1[1] AND s = 150) ORDER BY s, c").execute(Tuple.of(convs.toArray(new Long[0]), p)));
    await(pool.preparedQuery("UPDATE messages SET deleted_at = now(), content = '' WHERE conversation_id = $1 AND seq = 120")
      .execute(Tuple.of(chat)));
    for (Row r : await(pool.preparedQuery("SELECT id FROM messages WHERE conversation_id = $1 ORDER BY seq")
      .execute(Tuple.of(chat)))) {
      ids.add(r.getLong(0));
    }
    hi = ids.get(ids.size() - 1);
    await(pool.query("ANALYZE messages").execute());
  }

  @AfterAll
  static void close() {
    await(pool.close());
  }

  @Test
  void messagesAfterAnyPositionAreThoseOfTheIdRange() {
    assertEquals(299, ids.size());
    long other = ids.get(99) + 1; // a position that is the other conversation's message
    long[] positions = {0, ids.get(0) - 1, ids.get(0), ids.get(99), other, ids.get(147), ids.get(148), ids.get(200),
      ids.get(233), ids.get(234), ids.get(235), ids.get(290), ids.get(297), ids.get(298), hi + 5};
    int checked = 0;
    for (long lo : positions) {
      for (int limit : new int[] {1, 10, 1000}) {
        assertEquals(expected(lo, limit), actual(lo, limit), "after position " + lo + ", limit " + limit);
        checked++;
      }
    }
    assertTrue(checked == positions.length * 3);
  }

  private static List<Long> actual(long lo, int limit) {
    List<Long> got = new ArrayList<>();
    Tuple args = Tuple.tuple().addArrayOfLong(new Long[] {chat}).addArrayOfLong(new Long[] {lo})
      .addArrayOfLong(new Long[] {hi}).addInteger(limit);
    await(pool.preparedQuery(Plans.statement(SyncStore.class, "MESSAGES")).execute(args)).forEach(r -> got.add(r.getLong("id")));
    return got;
  }

  private static List<Long> expected(long lo, int limit) {
    List<Long> want = new ArrayList<>();
    await(pool.preparedQuery("SELECT id FROM messages WHERE conversation_id = $1 AND id > $2 AND id <= $3 "
      + "AND deleted_at IS NULL ORDER BY id LIMIT $4").execute(Tuple.of(chat, lo, hi, limit)))
      .forEach(r -> want.add(r.getLong(0)));
    return want;
  }
}
