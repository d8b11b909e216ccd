package io.chatpresence.launcher;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random frames against a live authenticated socket: only well-formed answers, the socket stays usable. */
public class LiveFuzzTest {
  static final Set<String> ANSWER_TYPES = Set.of("SUCCESS", "ERROR", "INFO", "ONE_TO_ONE_CHAT", "GROUP_CHAT",
    "ONE_TO_ONE_CHAT_HISTORY", "GROUP_CHAT_HISTORY", "PRESENCE_UPDATE");
  private static final String[] TYPES = {"ONE_TO_ONE_CHAT", "GROUP_CHAT", "GET_ONE_TO_ONE_HISTORY",
    "GET_GROUP_CHAT_HISTORY", "JOIN_GROUP", "LEAVE_GROUP", "AUTH", "NOPE", ""};
  private static final String[] FIELDS = {"to", "from", "content", "chatId", "groupId", "clientMsgId", "limit",
    "before", "after", "username", "token", "name"};
  @RegisterExtension
  static final TestServer server = TestServer.perClass(new JsonObject()
    .put(ConfigKeys.RATE_PER_SECOND, 100_000).put(ConfigKeys.RATE_BURST, 100_000));

  /** One random frame: noise, JSON noise, or a valid-looking frame with random field values. */
  public static String randomFrame(Random random, String self, String peer) {
    switch (random.nextInt(3)) {
      case 0: {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(200);
        for (int i = 0; i < n; i++) {
          sb.append((char) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(0xD7FF)));
        }
        return sb.toString();
      }
      case 1: {
        String[] parts = {"{", "}", "[", "]", ":", ",", "\"type\"", "\"ONE_TO_ONE_CHAT\"", "\"to\"", "null", "1e999", "\"\\u0000\""};
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(30);
        for (int i = 0; i < n; i++) {
          sb.append(parts[random.nextInt(parts.length)]);
        }
        return sb.toString();
      }
      default: {
        JsonObject frame = new JsonObject().put("type", TYPES[random.nextInt(TYPES.length)]);
        int n = random.nextInt(FIELDS.length);
        for (int i = 0; i < n; i++) {
          frame.put(FIELDS[random.nextInt(FIELDS.length)], randomValue(random, self, peer));
        }
        return frame.encode();
      }
    }
  }

  private static Object randomValue(Random random, String self, String peer) {
    return switch (random.nextInt(9)) {
      case 0 -> self;
      case 1 -> peer;
      case 2 -> "msg_" + random.nextInt(1000);
      case 3 -> random.nextInt(500) - 100;
      case 4 -> "x".repeat(random.nextInt(5000));
      case 5 -> new JsonArray().add(random.nextInt());
      case 6 -> new JsonObject().put("a", "b");
      case 7 -> null;
      default -> "g_" + random.nextInt(20);
    };
  }

  @Test
  void thousandsOfRandomFramesGetWellFormedAnswersAndTheSocketStaysUsable() {
    TestServer.User self = server.newUser("fuzz");
    TestServer.User peer = server.newUser("fuzzpeer");
    Random random = new Random(Long.getLong("fuzz.seed", 42L));
    int frames = Integer.getInteger("fuzz.frames", 3_000);
    try (WsClient ws = server.chat(self)) {
      for (int i = 0; i < frames; i++) {
        if (random.nextInt(20) == 0) {
          byte[] bytes = new byte[random.nextInt(100)];
          random.nextBytes(bytes);
          ws.sendBinary(bytes);
        } else {
          ws.sendText(randomFrame(random, self.name(), peer.name()));
        }
      }
      ws.send(new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", "end_marker_" + self.name()));
      List<JsonObject> answers = new ArrayList<>();
      JsonObject last = ws.until(f -> "ERROR".equals(f.getString("type"))
        && f.getString("msg", "").contains("end_marker_"), answers);
      assertEquals("NOT_FOUND", last.getString("code"));
      for (JsonObject answer : answers) {
        assertTrue(ANSWER_TYPES.contains(answer.getString("type")), answer.encode());
        if ("ERROR".equals(answer.getString("type"))) {
          assertTrue(answer.getString("code") != null && answer.getString("msg") != null, answer.encode());
        }
      }
      assertTrue(answers.size() >= frames * 9 / 10, "most frames were answered: " + answers.size());
      assertFalse(ws.isClosed());
    }
  }
}
