package io.chatpresence.launcher;

import io.chatpresence.chat.store.ReadStore;
import io.chatpresence.server.db.Pools;
import io.chatpresence.server.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;

import static io.chatpresence.launcher.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Migration V3 on a database that already holds chats, groups and messages (made at V2, with the hole in seq
 * a retried clientMsgId used to leave): every member gets a position at the last message (nothing old is
 * unread), activity is the last message's id, and unread starts at 0 for everyone.
 */
@ExtendWith(VertxExtension.class)
class ReadMigrationTest {
  @Test
  void v3GivesEveryMemberOfExistingConversationsAPositionAtTheLastMessage(Vertx vertx) throws Exception {
    PgConnectOptions shared = Pools.connectOptions(TestDatabase.url());
    String name = "upgrade_" + System.nanoTime();
    Pool admin = PgBuilder.pool().connectingTo(shared).using(vertx).build();
    await(admin.query("CREATE DATABASE " + name).execute());
    await(admin.close());
    String jdbc = "jdbc:postgresql://" + shared.getHost() + ":" + shared.getPort() + "/" + name;
    Flyway.configure().dataSource(jdbc, shared.getUser(), shared.getPassword()).locations("classpath:db/migration")
      .target("2").load().migrate();

    Pool db = PgBuilder.pool().connectingTo(new PgConnectOptions(shared).setDatabase(name)).using(vertx).build();
    try {
      await(db.query("INSERT INTO users (username, password_hash) VALUES ('ann', 'x'), ('bob', 'x'), ('cy', 'x')").execute());
      await(db.query("INSERT INTO conversations (kind, external_id, user_a, user_b, last_seq) VALUES "
        + "('C', 'chat_ab', 'ann', 'bob', 5), ('C', 'chat_bc', 'bob', 'cy', 0)").execute());
      await(db.query("INSERT INTO conversations (kind, external_id, name, owner, member_count, members_version, last_seq) "
        + "VALUES ('G', 'group_ac', 'g', 'ann', 2, 2, 2)").execute());
      await(db.query("INSERT INTO group_members (conversation_id, username) "
        + "SELECT id, u FROM conversations, unnest(ARRAY['ann', 'cy']) u WHERE external_id = 'group_ac'").execute());
      // seq 4 is the hole an old retried clientMsgId left
      await(db.query("INSERT INTO messages (conversation_id, seq, sender, content) "
        + "SELECT c.id, s, CASE WHEN s % 2 = 0 THEN 'ann' ELSE 'bob' END, 'm' FROM conversations c, unnest(ARRAY[1, 2, 3, 5]) s "
        + "WHERE c.external_id = 'chat_ab' ORDER BY s").execute());
      await(db.query("INSERT INTO messages (conversation_id, seq, sender, content) "
        + "SELECT c.id, s, 'cy', 'g' FROM conversations c, generate_series(1, 2) s WHERE c.external_id = 'group_ac' ORDER BY s").execute());

      Flyway.configure().dataSource(jdbc, shared.getUser(), shared.getPassword()).locations("classpath:db/migration")
        .load().migrate();

      Map<String, Long[]> positions = new HashMap<>();
      for (Row row : await(db.query("SELECT rp.username, c.external_id, rp.read_seq, rp.read_message_id, "
        + "(SELECT m.id FROM messages m WHERE m.conversation_id = c.id AND m.seq = c.last_seq) AS last_id, c.activity "
        + "FROM read_positions rp JOIN conversations c ON c.id = rp.conversation_id").execute())) {
        positions.put(row.getString("username") + "/" + row.getString("external_id"),
          new Long[] {row.getLong("read_seq"), row.getLong("read_message_id"), row.getLong("last_id"), row.getLong("activity")});
      }
      assertEquals(6, positions.size(), positions.keySet().toString());
      for (String key : new String[] {"ann/chat_ab", "bob/chat_ab"}) {
        Long[] p = positions.get(key);
        assertEquals(5L, p[0], key);
        assertEquals(p[2], p[1], key);
        assertEquals(p[2], p[3], key + ": activity is the last message");
      }
      for (String key : new String[] {"ann/group_ac", "cy/group_ac"}) {
        assertEquals(2L, positions.get(key)[0], key);
        assertEquals(positions.get(key)[2], positions.get(key)[1], key);
      }
      for (String key : new String[] {"bob/chat_bc", "cy/chat_bc"}) {
        assertEquals(0L, positions.get(key)[0], key);
        assertNull(positions.get(key)[1], key);
      }
      Field inbox = ReadStore.class.getDeclaredField("INBOX");
      inbox.setAccessible(true);
      for (String user : new String[] {"ann", "bob", "cy"}) {
        Row first = await(db.preparedQuery((String) inbox.get(null)).execute(Tuple.of(user, null, null, null, 51)))
          .iterator().next();
        assertEquals(0L, first.getLong("total_unread"), user);
      }
    } finally {
      await(db.close());
    }
  }
}
