package io.chatpresence.launcher;

import io.chatpresence.chat.store.ReadStore;
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


import static io.chatpresence.launcher.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unread counts and the inbox never scan history: EXPLAIN of MARK_READ and of an inbox page, for a user in 2,000
 * conversations of 5 messages each (10,000 messages), reads messages only by index.
 */
@ExtendWith(VertxExtension.class)
class ReadPlanTest {
  private static Pool pool;
  private static String me;
  private static long conversation;
  private static long message;

  @BeforeAll
  static void fill(Vertx vertx) {
    pool = PgBuilder.pool().connectingTo(Pools.connectOptions(TestDatabase.url())).using(vertx).build();
    String prefix = "plan" + System.nanoTime() % 100_000;
    await(pool.preparedQuery("INSERT INTO users (username, password_hash) SELECT $1 || '_' || g, 'x' "
      + "FROM generate_series(0, 1000) g").execute(Tuple.of(prefix)));
    String[] partners = new String[1000];
    for (int i = 0; i < partners.length; i++) {
      partners[i] = prefix + "_" + (i + 1);
    }
    me = prefix + "_0";
    await(pool.preparedQuery("WITH chats AS (INSERT INTO conversations (kind, external_id, user_a, user_b, last_seq) "
      + "SELECT 'C', 'pc_' || p, least($1, p), greatest($1, p), 5 FROM unnest($2::text[]) p RETURNING id, user_a, user_b), "
      + "groups AS (INSERT INTO conversations (kind, external_id, name, owner, member_count, members_version, last_seq) "
      + "SELECT 'G', 'pg_' || $1 || '_' || g, 'group ' || g, $1, 1, 1, 5 FROM generate_series(1, $3) g RETURNING id), "
      + "members AS (INSERT INTO group_members (conversation_id, username) SELECT id, $1 FROM groups), "
      + "pos AS (INSERT INTO read_positions (username, conversation_id, read_seq) "
      + "SELECT $1, id, id % 6 FROM groups UNION ALL SELECT $1, id, id % 6 FROM chats "
      + "UNION ALL SELECT CASE WHEN user_a = $1 THEN user_b ELSE user_a END, id, 5 FROM chats), "
      + "all_c AS (SELECT id, CASE WHEN user_a = $1 THEN user_b ELSE user_a END AS other FROM chats "
      + "UNION ALL SELECT id, $1 FROM groups) "
      + "INSERT INTO messages (conversation_id, seq, sender, content) "
      + "SELECT id, s, CASE WHEN s % 2 = 0 THEN $1 ELSE other END, 'm' || s FROM all_c, generate_series(1, 5) s "
      + "ORDER BY s, random()").execute(Tuple.of(me, partners, 1000)));
    await(pool.preparedQuery("UPDATE conversations c SET activity = m.id FROM messages m "
      + "WHERE m.conversation_id = c.id AND m.seq = c.last_seq AND c.external_id LIKE $1").execute(Tuple.of("p%_" + prefix + "_%")));
    Row any = await(pool.preparedQuery("SELECT m.conversation_id, m.id FROM messages m JOIN read_positions rp "
      + "ON rp.conversation_id = m.conversation_id WHERE rp.username = $1 AND m.seq = 5 LIMIT 1")
      .execute(Tuple.of(me))).iterator().next();
    conversation = any.getLong(0);
    message = any.getLong(1);
    await(pool.query("ANALYZE").execute());
  }

  @AfterAll
  static void close() {
    await(pool.close());
  }



  @Test
  void markReadAndTheInboxReadMessagesByIndexOnly() {
    String mark = Plans.explain(pool, Plans.statement(ReadStore.class, "MARK_READ"), Tuple.of(me, conversation, message));
    String first = Plans.explain(pool, Plans.statement(ReadStore.class, "INBOX"), Tuple.of(me, null, null, null, 51));
    String later = Plans.explain(pool, Plans.statement(ReadStore.class, "INBOX"), Tuple.of(me, Long.MAX_VALUE / 2, message, conversation, 51));
    for (String p : new String[] {mark, first, later}) {
      assertFalse(p.contains("Seq Scan on messages "), p); // (the sequence messages_id_seq is one row)
      assertTrue(p.contains("messages_conversation_id_seq_key") || p.contains("messages_pkey"), p);
    }
    // the message is found by its key (the id), not by a range
    assertTrue(mark.contains("messages_pkey"), mark);
  }

  /**
   * An inbox page reads the user's 2,000 rows once for the keys and the unread counts; the details (the last
   * message, the partner's position) are looked up for the rows of the page only: every plan node that reads
   * messages or another member's position runs at most page size + 1 times (51), not once per conversation.
   */
  @Test
  void anInboxPageLooksUpDetailsForThePageRowsOnly() {
    String inbox = Plans.statement(ReadStore.class, "INBOX");
    String first = Plans.explainAnalyze(pool, inbox, Tuple.of(me, null, null, null, 51));
    String later = Plans.explainAnalyze(pool, inbox, Tuple.of(me, Long.MAX_VALUE / 2, message, conversation, 51));
    for (String p : new String[] {first, later}) {
      int detailNodes = 0;
      for (String line : p.split("\n")) {
        if ((line.contains(" on messages m ") || line.contains(" on read_positions op ")) && line.contains("loops=")) {
          detailNodes++;
          int loops = Integer.parseInt(line.replaceAll(".*loops=(\\d+)\\).*", "$1"));
          assertTrue(loops <= 51, "a detail lookup ran " + loops + " times:\n" + p);
        }
      }
      assertTrue(detailNodes >= 2, p); // the last message and the partner's position were looked up
      // the user's rows and their conversations are read by one pass (one node each, however the planner joins
      // them, besides an index-only read of the user's keys); the page's rows by key (at most 51 each, 102 for
      // positions: the user's and the chat partner's)
      assertTrue(bigReads(p, " on conversations ", 51) <= 1, p);
      assertTrue(bigReads(p, " on read_positions ", 2 * 51) <= 1, p);
    }
  }

  /**
   * How many of the plan's nodes reading rows of {@code table} (index-only reads of keys aside) returned more
   * than {@code rows} rows over their loops.
   */
  private static int bigReads(String plan, String table, long rows) {
    int nodes = 0;
    for (String line : plan.split("\n")) {
      if (line.contains(table) && line.contains("loops=") && !line.contains("Index Only Scan")) {
        long read = Long.parseLong(line.replaceAll(".* rows=(\\d+) loops=\\d+\\).*", "$1"))
          * Long.parseLong(line.replaceAll(".*loops=(\\d+)\\).*", "$1"));
        if (read > rows) {
          nodes++;
        }
      }
    }
    return nodes;
  }
}
