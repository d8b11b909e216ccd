package io.chatpresence.launcher;

import io.chatpresence.server.db.Pools;
import io.chatpresence.server.testing.TestDatabase;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

import static io.chatpresence.launcher.TestServer.await;

/** Test helpers for the edit extension: its frames, and SQL to look at what the database holds. */
final class Edits {
  private Edits() {
  }

  static JsonObject edit(String messageId, String content) {
    return new JsonObject().put("type", "EDIT_MESSAGE").put("messageId", messageId).put("content", content);
  }

  static JsonObject delete(String messageId) {
    return new JsonObject().put("type", "DELETE_MESSAGE").put("messageId", messageId);
  }

  static JsonObject success(WsClient c, String msg) {
    return c.until(f -> "SUCCESS".equals(f.getString("type")) && msg.equals(f.getString("msg")));
  }

  static JsonObject error(WsClient c) {
    return c.until(f -> "ERROR".equals(f.getString("type")));
  }

  static JsonObject ofType(WsClient c, String type) {
    return c.until(f -> type.equals(f.getString("type")));
  }

  /** A message sent to {@code to}; its SUCCESS. */
  static JsonObject sendDirect(WsClient c, String to, String content) {
    c.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", to).put("content", content));
    return success(c, "sent");
  }

  static JsonObject sendGroup(WsClient c, String groupId, String content) {
    c.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", groupId).put("content", content));
    return success(c, "sent");
  }

  static void join(WsClient c, String groupId) {
    c.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
    c.until(f -> "SUCCESS".equals(f.getString("type")) && groupId.equals(f.getString("groupId")));
  }

  /** One history page as the socket sees it. */
  static JsonObject history(WsClient c, String idField, String id, Integer limit, String cursorField, String cursor) {
    JsonObject req = new JsonObject()
      .put("type", "chatId".equals(idField) ? "GET_ONE_TO_ONE_HISTORY" : "GET_GROUP_CHAT_HISTORY").put(idField, id);
    if (limit != null) {
      req.put("limit", limit);
    }
    if (cursor != null) {
      req.put(cursorField, cursor);
    }
    c.send(req);
    return c.until(f -> f.containsKey("messages") && f.containsKey("hasMore"));
  }

  static List<String> ids(JsonObject page) {
    List<String> ids = new ArrayList<>();
    page.getJsonArray("messages").forEach(m -> ids.add(((JsonObject) m).getString("messageId")));
    return ids;
  }

  static long rowId(String messageId) {
    return Long.parseLong(messageId.substring(4));
  }

  /** A short-lived pool of the test database, for looking at rows. */
  static RowSet<Row> sql(Vertx vertx, String sql, Tuple params) {
    Pool pool = PgBuilder.pool().connectingTo(Pools.connectOptions(TestDatabase.url())).using(vertx).build();
    try {
      return await(pool.preparedQuery(sql).execute(params));
    } finally {
      await(pool.close());
    }
  }

  static Row message(Vertx vertx, String messageId) {
    return sql(vertx, "SELECT m.content, m.edited_at, m.deleted_at, m.changed_pos, m.seq, c.events_pos, "
      + "c.last_deleted_seq FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = $1",
      Tuple.of(rowId(messageId))).iterator().next();
  }

  /**
   * How many rows of any table of the schema hold {@code text} anywhere (each row as its text form): an edit or
   * a deletion must leave no copy of the old text behind.
   */
  static long rowsHolding(Vertx vertx, String text) {
    long found = 0;
    for (Row table : sql(vertx, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
      + "AND table_type = 'BASE TABLE'", Tuple.tuple())) {
      String name = table.getString("table_name");
      found += sql(vertx, "SELECT count(*) AS n FROM \"" + name + "\" t WHERE strpos(t::text, $1) > 0", Tuple.of(text))
        .iterator().next().getLong("n");
    }
    return found;
  }
}
