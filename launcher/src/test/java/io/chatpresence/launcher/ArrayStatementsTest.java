package io.chatpresence.launcher;

import io.chatpresence.chat.store.ConversationStore;
import io.chatpresence.chat.store.EditStore;
import io.chatpresence.chat.store.ReadStore;
import io.chatpresence.server.auth.Authenticator;
import io.chatpresence.server.db.Pools;
import io.chatpresence.server.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgException;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The statements that run a whole batch over arrays ({@code UnnestStatement}) are valid SQL for PostgreSQL with the
 * parameter types the product binds. A batch the database refuses falls back to one statement per execution, so a
 * broken array statement would only show as lost speed; this test makes it fail instead. The reads run for real:
 * each execution gets its own rows, by {@code ord}.
 */
@ExtendWith(VertxExtension.class)
class ArrayStatementsTest {
  private static Pool pool;

  @BeforeAll
  static void open(Vertx vertx) {
    pool = PgBuilder.pool().connectingTo(Pools.connectOptions(TestDatabase.url())).using(vertx).build();
    await(pool.preparedQuery("INSERT INTO users (username, password_hash) VALUES ('arr_a', 'x'), ('arr_b', 'x') "
      + "ON CONFLICT DO NOTHING").execute());
    await(pool.preparedQuery("INSERT INTO conversations (kind, external_id, user_a, user_b) "
      + "VALUES ('C', 'arr_chat', 'arr_a', 'arr_b') ON CONFLICT DO NOTHING").execute());
  }

  @AfterAll
  static void close() {
    await(pool.close());
  }

  @Test
  void theWritesPlanWithTheBoundTypes() {
    Long[] ids = {1L, 2L};
    String[] users = {"arr_a", "arr_b"};
    String[] texts = {"x", "y"};
    for (String plan : List.of(
      Plans.explain(pool, Plans.statement(ConversationStore.class, "INSERT_MESSAGES"),
        Tuple.of(ids, users, texts, new String[] {null, "c1"})),
      Plans.explain(pool, Plans.statement(ConversationStore.class, "INSERT_MESSAGES_FINDING_COPIES"),
        Tuple.of(ids, users, texts, new String[] {null, "c1"})),
      Plans.explain(pool, Plans.statement(ReadStore.class, "MARK_READS"), Tuple.of(users, ids, ids)),
      Plans.explain(pool, Plans.statement(EditStore.class, "EDITS"), Tuple.of(ids, texts, users)),
      Plans.explain(pool, Plans.statement(EditStore.class, "DELETES"), Tuple.of((Object) ids)))) {
      assertTrue(plan.contains("Function Scan"), plan);
    }
  }

  @Test
  void theAuthCheckAnswersEachSocketWithItsOwnRow() {
    List<Row> rows = rows(Plans.statement(Authenticator.class, "CHECKS_SQL"),
      Tuple.tuple().addValue(new String[] {"arr_a", "arr_nobody", "arr_b"}).addValue(new String[] {"j1", null, "j3"}));
    assertEquals(3, rows.size());
    assertEquals(List.of(1L, 2L, 3L), rows.stream().map(r -> r.getLong("ord")).sorted().toList());
    for (Row row : rows) {
      if (row.getLong("ord") == 2L) {
        assertNull(row.getString("issuer"), "an unknown user has no issuer");
      } else {
        assertEquals("", row.getString("issuer"), "a local account");
      }
    }
  }

  @Test
  void theContactsLookupAnswersEachUserWithItsOwnContacts() throws Exception {
    Class<?> store = Class.forName("io.chatpresence.presence.ContactStore");
    List<Row> rows = rows(Plans.statement(store, "CONTACTS_OF_MANY_SQL"),
      Tuple.tuple().addValue(new String[] {"arr_b", "arr_nobody", "arr_a"}).addValue(new Integer[] {100, 100, 100}));
    List<String> got = new ArrayList<>();
    for (Row row : rows) {
      got.add(row.getLong("ord") + ":" + row.getString("contact"));
    }
    assertEquals(List.of("1:arr_a", "3:arr_b"), got.stream().sorted().toList());
  }

  /**
   * The batch statements are longer than the client's default limit for its prepared-statement cache (2,048
   * characters): without the product's connect options, PostgreSQL parsed and planned each batch again.
   */
  @Test
  void theBatchStatementsArePreparedOncePerConnection() {
    String sql = Plans.statement(ConversationStore.class, "INSERT_MESSAGES");
    assertTrue(sql.length() > 2048, "the statement this test is about is a long one");
    Tuple noMessages = Tuple.of(new Long[0], new String[0], new String[0], new String[0]);
    long prepared = await(pool.withConnection(conn -> conn.preparedQuery(sql).execute(noMessages)
      .compose(first -> conn.preparedQuery(sql).execute(noMessages))
      .compose(second -> conn.preparedQuery("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1")
        .execute(Tuple.of(sql)))
      .map(rows -> rows.iterator().next().getLong(0))));
    assertEquals(1L, prepared, "one prepared statement on the connection, executed twice");
  }

  /**
   * The batch insert leaves copies to the unique index: a clientMsgId twice in its arrays rolls it back (and
   * UnnestStatement then runs the batch as INSERT_MESSAGES_FINDING_COPIES), which stores the first and answers the
   * copy with no row (ConversationStore answers it with the first after the commit).
   */
  @Test
  void aCopyInTheArraysFailsTheBatchInsertAndIsStoredOnceByTheFormThatFindsCopies() {
    long chat = await(pool.preparedQuery("SELECT id FROM conversations WHERE external_id = 'arr_chat'").execute())
      .iterator().next().getLong(0);
    String id = "arr-copy-" + System.nanoTime();
    Tuple batch = Tuple.of(new Long[] {chat, chat, chat}, new String[] {"arr_a", "arr_a", "arr_b"},
      new String[] {"first", "copy", "other"}, new String[] {id, id, null});
    Throwable refused = assertThrows(Throwable.class,
      () -> rows(Plans.statement(ConversationStore.class, "INSERT_MESSAGES"), batch));
    while (refused.getCause() != null && !(refused instanceof PgException)) {
      refused = refused.getCause();
    }
    assertTrue(refused instanceof PgException pg && "23505".equals(pg.getSqlState()), String.valueOf(refused));
    assertEquals(0L, count("SELECT count(*) FROM messages WHERE conversation_id = $1 AND content IN ('first', 'copy')",
      chat), "the refused batch stored nothing");

    List<Row> rows = rows(Plans.statement(ConversationStore.class, "INSERT_MESSAGES_FINDING_COPIES"), batch);
    assertEquals(List.of(1L, 3L), rows.stream().map(r -> r.getLong("ord")).sorted().toList(), "no row for the copy");
    rows.forEach(r -> assertEquals(false, r.getBoolean("refused")));
    Row first = rows.stream().filter(r -> r.getLong("ord") == 1L).findFirst().orElseThrow();
    Row other = rows.stream().filter(r -> r.getLong("ord") == 3L).findFirst().orElseThrow();
    assertEquals(first.getLong("seq") + 1, other.getLong("seq"), "the copy took no seq");
    assertEquals(1L, count("SELECT count(*) FROM messages WHERE client_msg_id = $1", id));
    assertEquals("first", await(pool.preparedQuery("SELECT content FROM messages WHERE id = $1")
      .execute(Tuple.of(first.getLong("id")))).iterator().next().getString(0), "the text came from its own element");
  }

  private static long count(String sql, Object arg) {
    return await(pool.preparedQuery(sql).execute(Tuple.of(arg))).iterator().next().getLong(0);
  }

  private static List<Row> rows(String sql, Tuple args) {
    List<Row> rows = new ArrayList<>();
    await(pool.preparedQuery(sql).execute(args)).forEach(rows::add);
    return rows;
  }
}
