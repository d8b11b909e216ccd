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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SYNC never scans history: EXPLAIN ANALYZE of its statements for a user in 2,000 conversations of 5 messages
 * each, 100 of which got a message since the token: only those 100 get a window, and messages are read by
 * index only (each statement's execution time is printed; figures belong to the benchmark, not here).
 */
@ExtendWith(VertxExtension.class)
class SyncPlanTest {
  private static Pool pool;
  private static String me;
  private static long since;
  private static long watermark;
  private static final List<Long> conversations = new ArrayList<>();

  @BeforeAll
  static void fill(Vertx vertx) {
    pool = PgBuilder.pool().connectingTo(Pools.connectOptions(TestDatabase.url())).using(vertx).build();
    String prefix = "splan" + System.nanoTime() % 100_000;
    await(pool.preparedQuery("INSERT INTO users (username, password_hash) SELECT $1 || '_' || g, 'x' "
      + "FROM generate_series(0, 1000) g").execute(Tuple.of(prefix)));
    String[] partners = new String[1000];
    for (int i = 0; i < partners.length; i++) {
      partners[i] = prefix + "_" + (i + 1);
    }
    me = prefix + "_0";
    for (Row r : await(pool.preparedQuery("WITH chats AS (INSERT INTO conversations (kind, external_id, user_a, user_b, last_seq) "
      + "SELECT 'C', 'spc_' || p, least($1, p), greatest($1, p), 5 FROM unnest($2::text[]) p RETURNING id, user_a, user_b), "
      + "groups AS (INSERT INTO conversations (kind, external_id, name, owner, member_count, members_version, last_seq) "
      + "SELECT 'G', 'spg_' || $1 || '_' || g, 'group ' || g, $1, 1, 1, 5 FROM generate_series(1, $3) g RETURNING id), "
      + "members AS (INSERT INTO group_members (conversation_id, username) SELECT id, $1 FROM groups), "
      + "pos AS (INSERT INTO read_positions (username, conversation_id, read_seq) "
      + "SELECT $1, id, 5 FROM groups UNION ALL SELECT $1, id, 5 FROM chats "
      + "UNION ALL SELECT CASE WHEN user_a = $1 THEN user_b ELSE user_a END, id, 5 FROM chats), "
      + "all_c AS (SELECT id, CASE WHEN user_a = $1 THEN user_b ELSE user_a END AS other FROM chats "
      + "UNION ALL SELECT id, $1 FROM groups), "
      + "msgs AS (INSERT INTO messages (conversation_id, seq, sender, content) "
      + "SELECT id, s, CASE WHEN s % 2 = 0 THEN $1 ELSE other END, 'm' || s FROM all_c, generate_series(1, 5) s "
      + "ORDER BY s, random()) SELECT id FROM all_c").execute(Tuple.of(me, partners, 1000)))) {
      conversations.add(r.getLong(0));
    }
    await(pool.query("UPDATE conversations c SET events_pos = (SELECT max(id) FROM messages m WHERE m.conversation_id = c.id) "
      + "WHERE c.external_id LIKE 'sp%'").execute());
    since = await(pool.query("SELECT last_value FROM messages_id_seq").execute()).iterator().next().getLong(0);
    Long[] spread = new Long[100];
    for (int i = 0; i < spread.length; i++) {
      spread[i] = conversations.get(i * 20);
    }
    await(pool.preparedQuery("WITH ins AS (INSERT INTO messages (conversation_id, seq, sender, content) "
      + "SELECT c, 6, $2, 'new' FROM unnest($1::bigint[]) c RETURNING conversation_id, id) "
      + "UPDATE conversations c SET events_pos = ins.id FROM ins WHERE c.id = ins.conversation_id")
      .execute(Tuple.of(spread, me)));
    watermark = await(pool.query("SELECT last_value FROM messages_id_seq").execute()).iterator().next().getLong(0);
    await(pool.query("ANALYZE").execute());
  }

  @AfterAll
  static void close() {
    await(pool.close());
  }


  private static String plan(String name, Tuple args) {
    String text = Plans.explainAnalyze(pool, Plans.statement(SyncStore.class, name), args);
    System.out.println("SyncPlanTest " + name + ": " + text.substring(text.lastIndexOf("Execution Time")).strip());
    return text;
  }

  @Test
  void windowsThenEventsOfTheChangedConversationsOnlyByIndex() {
    String windows = plan("WINDOWS", Tuple.of(me, since, watermark));
    List<Long> ids = new ArrayList<>();
    List<Long> lo = new ArrayList<>();
    List<Long> hi = new ArrayList<>();
    List<Boolean> others = new ArrayList<>();
    for (Row r : await(pool.preparedQuery(Plans.statement(SyncStore.class, "WINDOWS")).execute(Tuple.of(me, since, watermark)))) {
      ids.add(r.getLong("id"));
      lo.add(r.getLong("lo"));
      hi.add(r.getLong("hi"));
      others.add(true);
    }
    assertTrue(ids.size() == 100, "windows: " + ids.size());
    Tuple bounds = Tuple.tuple().addArrayOfLong(ids.toArray(new Long[0])).addArrayOfLong(lo.toArray(new Long[0]))
      .addArrayOfLong(hi.toArray(new Long[0])).addInteger(1001);
    String messages = plan("MESSAGES", bounds);
    String changes = plan("CHANGES", bounds);
    String reads = plan("READS", Tuple.tuple().addArrayOfLong(ids.toArray(new Long[0])).addArrayOfLong(lo.toArray(new Long[0]))
      .addArrayOfLong(hi.toArray(new Long[0])).addInteger(1001).addString(me).addArrayOfBoolean(others.toArray(new Boolean[0]))
      .addArrayOfBoolean(others.toArray(new Boolean[0])));
    String membership = plan("MEMBERSHIP", bounds);
    for (String p : new String[] {windows, messages, changes, reads, membership}) {
      assertFalse(p.contains("Seq Scan on messages "), p);
    }
    assertTrue(messages.contains("messages_conversation_id_seq_key"), messages);
    assertTrue(changes.contains("messages_changes"), changes);
  }

  /** A page of 1,000 out of the 10,000 seeded messages: every conversation has a window. */
  @Test
  void aPageOfAThousandOverAllConversations() {
    String windows = plan("WINDOWS", Tuple.of(me, 0L, watermark));
    List<Long> ids = new ArrayList<>();
    List<Long> lo = new ArrayList<>();
    List<Long> hi = new ArrayList<>();
    for (Row r : await(pool.preparedQuery(Plans.statement(SyncStore.class, "WINDOWS")).execute(Tuple.of(me, 0L, watermark)))) {
      ids.add(r.getLong("id"));
      lo.add(r.getLong("lo"));
      hi.add(r.getLong("hi"));
    }
    assertTrue(ids.size() == 2_000, "windows: " + ids.size());
    String messages = plan("MESSAGES", Tuple.tuple().addArrayOfLong(ids.toArray(new Long[0]))
      .addArrayOfLong(lo.toArray(new Long[0])).addArrayOfLong(hi.toArray(new Long[0])).addInteger(1001));
    assertFalse(messages.contains("Seq Scan on messages "), messages);
    assertFalse(windows.contains("Seq Scan on messages "), windows);
  }
}
