package io.chatpresence.launcher;

import io.chatpresence.server.db.Pools;
import io.chatpresence.server.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.chatpresence.launcher.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The queries that grow with traffic read by index: EXPLAIN says so on a conversation of 20,000 messages. */
@ExtendWith(VertxExtension.class)
class SchemaIndexTest {
  private static Pool pool;
  private static long conversation;

  @BeforeAll
  static void fill(Vertx vertx) {
    pool = PgBuilder.pool().connectingTo(Pools.connectOptions(TestDatabase.url())).using(vertx).build();
    await(pool.query("INSERT INTO users (username, password_hash) VALUES ('explain_a', 'x'), ('explain_b', 'x') "
      + "ON CONFLICT DO NOTHING").execute());
    conversation = await(pool.query("INSERT INTO conversations (kind, external_id, user_a, user_b) "
      + "VALUES ('C', 'explain_chat', 'explain_a', 'explain_b') ON CONFLICT (kind, external_id) DO UPDATE SET name = NULL "
      + "RETURNING id").execute()).iterator().next().getLong(0);
    await(pool.preparedQuery("INSERT INTO messages (conversation_id, seq, sender, content) "
      + "SELECT $1, s, 'explain_a', 'x' FROM generate_series(1, 20000) s ON CONFLICT DO NOTHING").execute(Tuple.of(conversation)));
    await(pool.query("ANALYZE messages").execute());
  }

  @AfterAll
  static void close() {
    await(pool.close());
  }


  @Test
  void historyPagesReadTheConversationSequenceIndex() {
    String before = Plans.explain(pool, "SELECT id FROM messages m WHERE m.conversation_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT 51",
      Tuple.of(conversation, 10_000L));
    String after = Plans.explain(pool, "SELECT id FROM messages m WHERE m.conversation_id = $1 AND m.seq > $2 ORDER BY m.seq ASC LIMIT 51",
      Tuple.of(conversation, 10_000L));
    for (String p : new String[] {before, after}) {
      assertTrue(p.contains("messages_conversation_id_seq_key"), p);
      assertFalse(p.contains("Seq Scan"), p);
    }
  }

  @Test
  void cursorAndIdempotencyLookupsReadByKey() {
    String cursor = Plans.explain(pool, "SELECT seq FROM messages WHERE id = $1 AND conversation_id = $2", Tuple.of(1L, conversation));
    String retry = Plans.explain(pool, "SELECT id FROM messages m WHERE m.sender = $1 AND m.client_msg_id = $2", Tuple.of("explain_a", "c1"));
    // by the id: a key lookup
    assertTrue(cursor.contains("messages_pkey"), cursor);
    assertTrue(retry.contains("messages_client_msg_id"), retry);
  }
}
