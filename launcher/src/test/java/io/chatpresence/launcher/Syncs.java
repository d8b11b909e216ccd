package io.chatpresence.launcher;

import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/** Test helpers for SYNC: one call, and paging until what was collected satisfies a condition. */
final class Syncs {
  private Syncs() {
  }

  /** What a run of SYNC calls collected: every event in order, and the last {@code next}. */
  record Collected(List<JsonObject> events, String next, int calls) {
  }

  static JsonObject sync(WsClient c, String since, Integer limit) {
    JsonObject req = new JsonObject().put("type", "SYNC").put("clientMsgId", "sync");
    if (since != null) {
      req.put("since", since);
    }
    if (limit != null) {
      req.put("limit", limit);
    }
    c.send(req);
    JsonObject answer = c.until(f -> "sync".equals(f.getString("clientMsgId")));
    if (!"SYNC".equals(answer.getString("type"))) {
      throw new AssertionError("SYNC answered " + answer.encode());
    }
    return answer;
  }

  /** A token marking now (SYNC without since). */
  static String now(WsClient c) {
    JsonObject answer = sync(c, null, null);
    if (!answer.getJsonArray("events").isEmpty() || answer.getBoolean("hasMore")) {
      throw new AssertionError("SYNC without since gave events: " + answer.encode());
    }
    return answer.getString("next");
  }

  /**
   * Pages from {@code since} (following next/hasMore) until the events collected satisfy {@code done} at the end
   * of a page without more; events arrive only once the watermark has passed them, hence the polling.
   */
  static Collected until(WsClient c, String since, Integer limit, Predicate<List<JsonObject>> done) {
    List<JsonObject> events = new ArrayList<>();
    String[] token = {since};
    int[] calls = {0};
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(60)).pollDelay(Duration.ZERO).until(() -> {
      boolean more;
      do {
        JsonObject page = sync(c, token[0], limit);
        calls[0]++;
        page.getJsonArray("events").forEach(e -> events.add((JsonObject) e));
        token[0] = page.getString("next");
        more = page.getBoolean("hasMore");
      } while (more);
      return done.test(events);
    });
    return new Collected(events, token[0], calls[0]);
  }

  static List<JsonObject> ofType(List<JsonObject> events, String type) {
    return events.stream().filter(e -> type.equals(e.getString("type"))).toList();
  }

  static List<String> types(List<JsonObject> events) {
    return events.stream().map(e -> e.getString("type")).toList();
  }

  /** White box, for the watermark test only: the position a token stands for (the format is ours). */
  static long position(String token) {
    String plain = new String(java.util.Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
    return Long.parseLong(plain.split("\\.")[1]);
  }

  static long id(String messageId) {
    return Long.parseLong(messageId.substring("msg_".length()));
  }

  static JsonObject join(String groupId) {
    return new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId);
  }

  static JsonObject leave(String groupId) {
    return new JsonObject().put("type", "LEAVE_GROUP").put("groupId", groupId);
  }

  static JsonObject group(String groupId, String content) {
    return new JsonObject().put("type", "GROUP_CHAT").put("groupId", groupId).put("content", content);
  }

  /** Sends and waits for its SUCCESS; the messageId for messages. */
  static JsonObject ok(WsClient c, JsonObject frame) {
    c.send(frame.copy().put("clientMsgId", "ok-" + System.nanoTime()));
    JsonObject answer = c.until(f -> f.getString("clientMsgId", "").startsWith("ok-"));
    if (!"SUCCESS".equals(answer.getString("type"))) {
      throw new AssertionError(frame.encode() + " answered " + answer.encode());
    }
    return answer;
  }

  static JsonArray features(String... names) {
    return new JsonArray(List.of(names));
  }
}
