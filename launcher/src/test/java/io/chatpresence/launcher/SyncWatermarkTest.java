package io.chatpresence.launcher;

import io.chatpresence.server.db.Pools;
import io.chatpresence.server.testing.TestDatabase;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static io.chatpresence.launcher.Extensions.direct;
import static io.chatpresence.launcher.Syncs.id;
import static io.chatpresence.launcher.Syncs.ok;
import static io.chatpresence.launcher.Syncs.sync;
import static io.chatpresence.launcher.Syncs.types;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SYNC's watermark against a transaction held open by hand (the classic pitfall), and edits/deletions written
 * by SQL under the writers' rule, on one server.
 */
class SyncWatermarkTest {
  @RegisterExtension
  static final TestServer server = TestServer.perClass(new JsonObject());

  private static WsClient socket(TestServer.User u, String... features) {
    return Extensions.chat(TestServer.clients(), server.chatPort, u, features);
  }

  private static Pool database() {
    return PgBuilder.pool().connectingTo(Pools.connectOptions(TestDatabase.url())).using(server.vertx).build();
  }

  private static long conversationId(Pool pool, String chatId) {
    return TestServer.await(pool.preparedQuery("SELECT id FROM conversations WHERE external_id = $1")
      .execute(Tuple.of(chatId))).iterator().next().getLong("id");
  }

  /**
   * The classic pitfall: a transaction drew position p (its message) and stays open while a later position
   * commits. Until it commits, SYNC must hand out no token past p; afterwards SYNC from the old token returns
   * both, in order. A token read from the sequence (or from the later message) would skip p for good.
   */
  @Test
  void aPositionHeldByAnOpenTransactionKeepsTokensBelowItUntilItCommits() {
    TestServer.User alice = server.newUser("wa");
    TestServer.User bob = server.newUser("wb");
    TestServer.User carol = server.newUser("wc");
    Pool pool = database();
    try (WsClient aliceSync = socket(alice, "sync"); WsClient bobWs = server.chat(bob); WsClient carolWs = server.chat(carol)) {
      String chatId = ok(bobWs, direct(alice.name(), "first")).getString("chatId");
      long conv = conversationId(pool, chatId);
      String since = Syncs.now(aliceSync);

      SqlConnection held = TestServer.await(pool.getConnection());
      TestServer.await(held.query("BEGIN").execute());
      TestServer.await(held.preparedQuery("SELECT id FROM conversations WHERE id = $1 FOR UPDATE").execute(Tuple.of(conv)));
      long heldId = TestServer.await(held.preparedQuery(
        "INSERT INTO messages (conversation_id, seq, sender, content) SELECT id, last_seq + 1, $2, 'held' "
          + "FROM conversations WHERE id = $1 RETURNING id").execute(Tuple.of(conv, bob.name()))).iterator().next().getLong("id");
      TestServer.await(held.preparedQuery("UPDATE conversations SET last_seq = last_seq + 1, activity = $2, events_pos = $2 "
        + "WHERE id = $1").execute(Tuple.of(conv, heldId)));
      String later = ok(carolWs, direct(alice.name(), "later")).getString("messageId");
      assertTrue(id(later) > heldId);

      await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(10)).until(() -> {
        JsonObject page = sync(aliceSync, since, null);
        return Syncs.position(page.getString("next")) < heldId && page.getJsonArray("events").stream()
          .noneMatch(f -> "held".equals(((JsonObject) f).getString("content")) || later.equals(((JsonObject) f).getString("messageId")));
      });

      TestServer.await(held.query("COMMIT").execute());
      held.close();
      Syncs.Collected got = Syncs.until(aliceSync, since, null,
        e -> e.stream().anyMatch(f -> later.equals(f.getString("messageId"))));
      List<String> ids = got.events().stream().map(f -> f.getString("messageId")).toList();
      assertEquals(List.of("msg_" + heldId, later), ids.subList(ids.size() - 2, ids.size()));
      assertEquals("held", got.events().get(ids.size() - 2).getString("content"));
    } finally {
      pool.close();
    }
  }

  /**
   * Until the edit extension's EDIT_MESSAGE/DELETE_MESSAGE are merged: an edit and a deletion written by SQL
   * under the writers' rule (conversation row locked, then changed_pos drawn, events_pos bumped). A socket
   * without {@code edit} sees the current text, never the deleted message, and no frame of either change.
   */
  @Test
  void editsAndDeletionsWrittenBySqlShowCurrentTextAndNoDeletedMessageToSocketsWithoutEdit() {
    TestServer.User alice = server.newUser("ea");
    TestServer.User bob = server.newUser("eb");
    Pool pool = database();
    try (WsClient aliceSync = socket(alice, "sync"); WsClient bobWs = server.chat(bob)) {
      String since = Syncs.now(aliceSync);
      JsonObject first = ok(bobWs, direct(alice.name(), "typo"));
      String m2 = ok(bobWs, direct(alice.name(), "regret")).getString("messageId");
      long conv = conversationId(pool, first.getString("chatId"));
      String between = Syncs.until(aliceSync, since, null, e -> e.size() >= 2).next();
      TestServer.await(pool.withTransaction(c -> c
        .preparedQuery("SELECT id FROM conversations WHERE id = $1 FOR UPDATE").execute(Tuple.of(conv))
        .compose(r -> c.preparedQuery("UPDATE messages SET content = 'fixed', edited_at = now(), "
          + "changed_pos = nextval('messages_id_seq') WHERE id = $1 RETURNING changed_pos")
          .execute(Tuple.of(id(first.getString("messageId")))))
        .compose(r -> c.preparedQuery("UPDATE messages SET content = '', deleted_at = now(), "
          + "changed_pos = nextval('messages_id_seq') WHERE id = $1 RETURNING changed_pos").execute(Tuple.of(id(m2))))
        .compose(r -> c.preparedQuery("UPDATE conversations SET events_pos = $2 WHERE id = $1")
          .execute(Tuple.of(conv, r.iterator().next().getLong("changed_pos"))))));
      String marker = ok(bobWs, direct(alice.name(), "marker")).getString("messageId");

      Syncs.Collected all = Syncs.until(aliceSync, since, null,
        e -> e.stream().anyMatch(f -> marker.equals(f.getString("messageId"))));
      assertEquals(List.of(first.getString("messageId"), marker),
        all.events().stream().map(f -> f.getString("messageId")).toList());
      assertEquals("fixed", all.events().get(0).getString("content"));
      assertFalse(all.events().get(0).containsKey("editedAt"));
      Syncs.Collected since2 = Syncs.until(aliceSync, between, null,
        e -> e.stream().anyMatch(f -> marker.equals(f.getString("messageId"))));
      assertEquals(List.of("ONE_TO_ONE_CHAT"), types(since2.events()));
    } finally {
      pool.close();
    }
  }
}
