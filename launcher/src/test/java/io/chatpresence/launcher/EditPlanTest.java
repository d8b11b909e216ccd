package io.chatpresence.launcher;

import io.chatpresence.chat.store.ConversationStore;
import io.chatpresence.chat.store.EditStore;
import io.chatpresence.chat.store.PersonalDataStore;
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

/**
 * Edits, deletions, erasure and history without deleted messages read by index: EXPLAIN of the product's own
 * statements on a conversation of 20,000 messages, every tenth deleted.
 */
@ExtendWith(VertxExtension.class)
class EditPlanTest {
  private static Pool pool;
  private static long conversation;
  private static long message;

  @BeforeAll
  static void fill(Vertx vertx) {
    pool = PgBuilder.pool().connectingTo(Pools.connectOptions(TestDatabase.url())).using(vertx).build();
    await(pool.preparedQuery("INSERT INTO users (username, password_hash) VALUES ('plan_ea', 'x'), ('plan_eb', 'x') "
      + "ON CONFLICT DO NOTHING").execute());
    conversation = await(pool.preparedQuery("INSERT INTO conversations (kind, external_id, user_a, user_b) "
      + "VALUES ('C', 'plan_edit_chat', 'plan_ea', 'plan_eb') ON CONFLICT (kind, external_id) DO UPDATE SET name = NULL "
      + "RETURNING id").execute()).iterator().next().getLong(0);
    await(pool.preparedQuery("INSERT INTO messages (conversation_id, seq, sender, content, deleted_at) "
      + "SELECT $1, s, 'plan_ea', 'x', CASE WHEN s % 10 = 0 THEN now() END FROM generate_series(1, 20000) s "
      + "ON CONFLICT DO NOTHING").execute(Tuple.of(conversation)));
    message = await(pool.preparedQuery("SELECT id FROM messages WHERE conversation_id = $1 AND seq = 10000")
      .execute(Tuple.of(conversation))).iterator().next().getLong(0);
    await(pool.preparedQuery("ANALYZE messages").execute());
  }

  @AfterAll
  static void close() {
    await(pool.close());
  }



  @Test
  void changesFindTheMessageAndItsConversationByKey() {
    String target = Plans.explain(pool, Plans.statement(EditStore.class, "TARGET"), Tuple.of(message, "plan_ea"));
    String edit = Plans.explain(pool, Plans.statement(EditStore.class, "EDIT"), Tuple.of(message, "new", "plan_ea"));
    String delete = Plans.explain(pool, Plans.statement(EditStore.class, "DELETE"), Tuple.of(message));
    String erase = Plans.explain(pool, Plans.statement(PersonalDataStore.class, "ERASE_MESSAGES"),
      Tuple.tuple().addArrayOfLong(new Long[] {message, message + 1}));
    for (String p : new String[] {target, edit, delete, erase}) {
      assertFalse(p.contains("Seq Scan on messages"), p);
      assertTrue(p.contains("messages_pkey"), p);
    }
    for (String p : new String[] {edit, delete}) {
      assertTrue(p.contains("conversations_pkey"), p);
      assertTrue(p.contains("LockRows"), "the conversation's row is locked: " + p);
    }
  }

  @Test
  void historyWithoutDeletedMessagesStillReadsTheSequenceIndex() {
    for (boolean withDeleted : new boolean[] {false, true}) {
      String before = Plans.explain(pool, Plans.statement(ConversationStore.class, "HISTORY_BEFORE"),
        Tuple.of(conversation, 10_000L, 51, withDeleted));
      String after = Plans.explain(pool, Plans.statement(ConversationStore.class, "HISTORY_AFTER"),
        Tuple.of(conversation, 10_000L, 51, withDeleted));
      String newest = Plans.explain(pool, Plans.statement(ConversationStore.class, "HISTORY_NEWEST"),
        Tuple.of(conversation, null, 51, withDeleted));
      for (String p : new String[] {before, after, newest}) {
        assertTrue(p.contains("messages_conversation_id_seq_key"), p);
        assertFalse(p.contains("Seq Scan"), p);
      }
    }
  }
}
