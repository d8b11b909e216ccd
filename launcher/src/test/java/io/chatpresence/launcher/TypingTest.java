package io.chatpresence.launcher;

import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.protocol.bus.TypingNotice;
import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static io.chatpresence.launcher.Extensions.direct;
import static io.chatpresence.launcher.Extensions.typing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The typing extension on one server. The contacts limit is 3 here, so that "a group over it" is small. */
class TypingTest {
  @RegisterExtension
  static final TestServer server = TestServer.perClass(new JsonObject().put(ConfigKeys.CONTACT_GROUP_MAX_MEMBERS, 3));

  private static WsClient typist(TestServer.User u) {
    return Extensions.chat(TestServer.clients(), server.chatPort, u, "typing");
  }

  private static String chatOf(WsClient a, TestServer.User to, WsClient b) {
    a.send(direct(to.name(), "hi"));
    String chatId = a.until(f -> "SUCCESS".equals(f.getString("type"))).getString("chatId");
    b.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type")));
    return chatId;
  }

  private static JsonObject nextTyping(WsClient c) {
    return c.until(f -> "TYPING".equals(f.getString("type")));
  }

  /** Frames until the answer to a history request: none may be TYPING. */
  private static void noTyping(WsClient c, String chatId) {
    c.send(new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("chatId", chatId).put("limit", 1));
    List<JsonObject> before = new ArrayList<>();
    c.until(f -> "ONE_TO_ONE_CHAT_HISTORY".equals(f.getString("type")), before);
    for (JsonObject f : before) {
      assertFalse("TYPING".equals(f.getString("type")), f.encode());
    }
  }

  @Test
  void typingReachesThePartnerOnceInTwoSecondsNeverTheTypistAndEndsWithTheMessage() {
    TestServer.User alice = server.newUser("ta");
    TestServer.User bob = server.newUser("tb");
    try (WsClient a = typist(alice); WsClient aOther = typist(alice); WsClient b = typist(bob);
         WsClient bPlain = server.chat(bob)) {
      String chatId = chatOf(a, bob, b);
      for (int i = 0; i < 3; i++) {
        a.send(typing("chatId", chatId, true));
      }
      assertEquals(new JsonObject().put("type", "TYPING").put("chatId", chatId).put("username", alice.name())
        .put("typing", true), nextTyping(b));
      a.send(direct(bob.name(), "done typing"));
      // the message and the end of the indicator, in either order; nothing else between
      List<JsonObject> got = new ArrayList<>();
      JsonObject stop = b.until(f -> "TYPING".equals(f.getString("type")), got);
      assertFalse(stop.getBoolean("typing"));
      if (got.isEmpty()) {
        b.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type")));
      } else {
        assertEquals(1, got.size(), got.toString());
        assertEquals("done typing", got.get(0).getString("content"));
      }
      // the two absorbed repeats were never forwarded: the next frame after the history answer is not TYPING
      noTyping(b, chatId);
      noTyping(aOther, chatId);
      noTyping(bPlain, chatId);
    }
  }

  @Test
  void theServerEndsTheIndicatorSixSecondsAfterTheLastTrue() {
    TestServer.User alice = server.newUser("tc");
    TestServer.User bob = server.newUser("td");
    try (WsClient a = typist(alice); WsClient b = typist(bob)) {
      String chatId = chatOf(a, bob, b);
      a.send(typing("chatId", chatId, true));
      assertTrue(nextTyping(b).getBoolean("typing"));
      long start = System.nanoTime();
      // a repeat 1 s later is absorbed but moves the deadline
      await(1_000);
      a.send(typing("chatId", chatId, true));
      long lastTrue = System.nanoTime();
      JsonObject end = nextTyping(b);
      long afterLast = (System.nanoTime() - lastTrue) / 1_000_000;
      assertFalse(end.getBoolean("typing"));
      System.out.printf("typing:false %d ms after the last true (%d ms after the first)%n", afterLast,
        (System.nanoTime() - start) / 1_000_000);
      assertTrue(afterLast >= 5_800 && afterLast <= 7_500, afterLast + " ms");
    }
  }

  @Test
  void theIndicatorEndsWhenTheTypistsLastSocketCloses() {
    TestServer.User alice = server.newUser("te");
    TestServer.User bob = server.newUser("tf");
    try (WsClient b = typist(bob)) {
      WsClient a = typist(alice);
      String chatId = chatOf(a, bob, b);
      a.send(typing("chatId", chatId, true));
      assertTrue(nextTyping(b).getBoolean("typing"));
      long start = System.nanoTime();
      a.close();
      assertFalse(nextTyping(b).getBoolean("typing"));
      assertTrue((System.nanoTime() - start) / 1_000_000 < 3_000);
    }
  }

  @Test
  void groupsUpToTheLimitGetItLargerGroupsDoNotAndBadInputIsRefused() {
    TestServer.User a = server.newUser("tg");
    TestServer.User b = server.newUser("th");
    TestServer.User c = server.newUser("ti");
    TestServer.User d = server.newUser("tj");
    String small = "tgs_" + a.name();
    String large = "tgl_" + a.name();
    try (WsClient ca = typist(a); WsClient cb = typist(b); WsClient cc = typist(c); WsClient cd = typist(d)) {
      for (WsClient s : List.of(ca, cb, cc)) {
        s.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", small));
        s.until(f -> "SUCCESS".equals(f.getString("type")));
      }
      ca.send(typing("groupId", small, true));
      for (WsClient s : List.of(cb, cc)) {
        JsonObject t = nextTyping(s);
        assertEquals(small, t.getString("groupId"));
        assertEquals(a.name(), t.getString("username"));
      }
      ca.send(typing("groupId", small, false));
      assertFalse(nextTyping(cb).getBoolean("typing"));
      assertFalse(nextTyping(cc).getBoolean("typing"));

      for (WsClient s : List.of(ca, cb, cc, cd)) {
        s.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", large));
        s.until(f -> "SUCCESS".equals(f.getString("type")));
      }
      ca.send(typing("groupId", large, true).put("clientMsgId", "quiet"));
      cb.send(new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", large));
      List<JsonObject> before = new ArrayList<>();
      cb.until(f -> "GROUP_CHAT_HISTORY".equals(f.getString("type")), before);
      before.forEach(f -> assertFalse("TYPING".equals(f.getString("type")), f.encode()));

      record Case(JsonObject frame, String code) {
      }
      int n = 0;
      for (Case k : List.of(
        new Case(typing("groupId", small, true).put("typing", "yes"), "INVALID"),
        new Case(new JsonObject().put("type", "TYPING").put("groupId", small), "INVALID"),
        new Case(typing("groupId", small, true).put("chatId", "x"), "INVALID"),
        new Case(typing("groupId", "tg_nowhere_" + a.name(), true), "NOT_FOUND"),
        new Case(typing("chatId", "tc_nowhere_" + a.name(), true), "NOT_FOUND"),
        new Case(typing("groupId", small, true).put("username", b.name()), "FORBIDDEN"))) {
        String id = "t" + (++n);
        cd.send(k.frame().put("clientMsgId", id));
        JsonObject error = cd.until(f -> "ERROR".equals(f.getString("type")));
        assertEquals(k.code(), error.getString("code"), k.frame().encode());
        assertEquals(id, error.getString("clientMsgId"));
      }
      // not a member of the small group (d is not)
      cd.send(typing("groupId", small, true).put("clientMsgId", "nm"));
      JsonObject forbidden = cd.until(f -> "ERROR".equals(f.getString("type")));
      assertEquals("FORBIDDEN", forbidden.getString("code"));
      assertEquals("nm", forbidden.getString("clientMsgId"));
    }
  }

  @Test
  void anIndicatorWhoseTypistsNodeNeverEndsItIsEndedByTheBackstop() {
    TestServer.User alice = server.newUser("tk");
    TestServer.User bob = server.newUser("tl");
    try (WsClient a = typist(alice); WsClient b = typist(bob)) {
      String chatId = chatOf(a, bob, b);
      // what a node that goes silent (its false never comes, and no membership event either) leaves behind
      long start = System.nanoTime();
      Bus.CHAT_TYPING.publish(server.vertx.eventBus(),
        new TypingNotice(alice.name(), "chatId", chatId, true, List.of(bob.name()), "a-node-that-went-silent"));
      assertTrue(nextTyping(b).getBoolean("typing"));
      JsonObject end = nextTyping(b);
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertFalse(end.getBoolean("typing"));
      assertEquals(alice.name(), end.getString("username"));
      System.out.printf("backstop typing:false after %d ms%n", ms);
      assertTrue(ms >= 7_800 && ms <= 9_500, ms + " ms");
    }
  }

  /** The one deliberate pause: the test is about time passing (a repeat one second after the first true). */
  private static void await(long ms) {
    org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ofMillis(ms)).until(() -> true);
  }
}
