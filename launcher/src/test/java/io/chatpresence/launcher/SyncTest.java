package io.chatpresence.launcher;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;


import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.chatpresence.launcher.Extensions.direct;
import static io.chatpresence.launcher.Extensions.markChat;
import static io.chatpresence.launcher.Extensions.markGroup;
import static io.chatpresence.launcher.Syncs.group;
import static io.chatpresence.launcher.Syncs.id;
import static io.chatpresence.launcher.Syncs.join;
import static io.chatpresence.launcher.Syncs.leave;
import static io.chatpresence.launcher.Syncs.ofType;
import static io.chatpresence.launcher.Syncs.ok;
import static io.chatpresence.launcher.Syncs.sync;
import static io.chatpresence.launcher.Syncs.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SYNC on one server: what it returns (messages, READ, INFO) as the live frames, membership windows, paging while
 * messages keep coming, the INBOX token, bad input. The contacts limit is 3 (a "larger group" is small); the rate
 * limit is raised so that a sender can keep sending while a reader pages.
 */
class SyncTest {
  @RegisterExtension
  static final TestServer server = TestServer.perClass(new JsonObject().put(ConfigKeys.CONTACT_GROUP_MAX_MEMBERS, 3)
    .put(ConfigKeys.RATE_PER_SECOND, 2000.0).put(ConfigKeys.RATE_BURST, 2000));

  private static WsClient socket(TestServer.User u, String... features) {
    return Extensions.chat(TestServer.clients(), server.chatPort, u, features);
  }

  private static String groupId() {
    return "group_" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void messagesInChatsAndGroupsComeAsTheLiveFramesOwnOnesFromAnotherDeviceToo() {
    TestServer.User alice = server.newUser("sa");
    TestServer.User bob = server.newUser("sb");
    String g = groupId();
    try (WsClient aliceSync = socket(alice, "sync"); WsClient aliceLive = server.chat(alice);
         WsClient alicePhone = server.chat(alice); WsClient bobWs = server.chat(bob)) {
      String since = Syncs.now(aliceSync);
      String fromBob = ok(bobWs, direct(alice.name(), "hi alice")).getString("messageId");
      String own = ok(alicePhone, direct(bob.name(), "hi bob")).getString("messageId");
      ok(alicePhone, join(g));
      ok(bobWs, join(g));
      String inGroup = ok(bobWs, group(g, "hello group")).getString("messageId");

      Syncs.Collected got = Syncs.until(aliceSync, since, null, e -> e.size() >= 5);
      assertEquals(List.of("ONE_TO_ONE_CHAT", "ONE_TO_ONE_CHAT", "INFO", "INFO", "GROUP_CHAT"), types(got.events()));
      // the frames a live socket got (it hears no INFO of its own join: its SUCCESS said it)
      List<JsonObject> live = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        live.add(aliceLive.next());
      }
      assertEquals(live.get(0), got.events().get(0));
      assertEquals(live.get(1), got.events().get(1));
      assertEquals(new JsonObject().put("type", "INFO").put("msg", alice.name() + " joined " + g).put("event", "JOINED")
        .put("groupId", g).put("username", alice.name()), got.events().get(2));
      assertEquals(live.get(2), got.events().get(3));
      assertEquals(live.get(3), got.events().get(4));
      assertEquals(List.of(fromBob, own, inGroup), List.of(got.events().get(0).getString("messageId"),
        got.events().get(1).getString("messageId"), got.events().get(4).getString("messageId")));

      // from the last token: nothing again
      JsonObject again = sync(aliceSync, got.next(), null);
      assertEquals(0, again.getJsonArray("events").size());
      assertFalse(again.getBoolean("hasMore"));
    }
  }

  @Test
  void readPositionsAndReceiptsOnlyForSocketsWithReadAndNotFromLargeGroups() {
    TestServer.User alice = server.newUser("ra");
    TestServer.User bob = server.newUser("rb");
    String small = groupId();
    String large = groupId();
    try (WsClient aliceSync = socket(alice, "read", "sync"); WsClient aliceNoRead = socket(alice, "sync");
         WsClient alice2 = socket(alice, "read"); WsClient bobWs = socket(bob, "read")) {
      String since = Syncs.now(aliceSync);
      String m1 = ok(bobWs, direct(alice.name(), "one")).getString("messageId");
      String m2 = ok(bobWs, direct(alice.name(), "two")).getString("messageId");
      String chatId = alice2.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type"))).getString("chatId");
      ok(alice2, markChat(chatId, m1));
      // alice answers: her position moves past m2 (a READ at her message's position), bob reads it (a receipt)
      String reply = ok(alice2, direct(bob.name(), "three")).getString("messageId");
      ok(bobWs, markChat(chatId, reply));
      ok(bobWs, join(small));
      ok(alice2, join(small));
      String inSmall = ok(alice2, group(small, "s")).getString("messageId");
      ok(bobWs, markGroup(small, inSmall));
      TestServer.User[] crowd = {server.newUser("rc"), server.newUser("rd"), server.newUser("re")};
      ok(alice2, join(large));
      ok(bobWs, join(large));
      for (TestServer.User u : crowd) {
        try (WsClient c = server.chat(u)) {
          ok(c, join(large));
        }
      }
      String inLarge = ok(alice2, group(large, "l")).getString("messageId");
      assertEquals(inLarge, ok(bobWs, markGroup(large, inLarge)).getString("messageId"));
      String last = ok(bobWs, group(large, "last")).getString("messageId");

      Syncs.Collected got = Syncs.until(aliceSync, since, null,
        e -> e.stream().anyMatch(f -> last.equals(f.getString("messageId"))));
      List<JsonObject> reads = ofType(got.events(), "READ");
      assertEquals(List.of(
        new JsonObject().put("type", "READ").put("chatId", chatId).put("username", alice.name()).put("messageId", reply)
          .put("unread", 0),
        new JsonObject().put("type", "READ").put("chatId", chatId).put("username", bob.name()).put("messageId", reply),
        new JsonObject().put("type", "READ").put("groupId", small).put("username", bob.name()).put("messageId", inSmall)),
        reads, "a read position carries its latest state: alice's first mark shows where she is now");
      // alice's own READ comes right after her message, at the same position
      int at = got.events().indexOf(reads.get(0));
      assertEquals(reply, got.events().get(at - 1).getString("messageId"));
      assertTrue(got.events().stream().noneMatch(f -> m2.equals(f.getString("messageId")) && "READ".equals(f.getString("type"))));

      Syncs.Collected noRead = Syncs.until(aliceNoRead, since, null,
        e -> e.stream().anyMatch(f -> last.equals(f.getString("messageId"))));
      assertEquals(List.of(), ofType(noRead.events(), "READ"));
      assertEquals(got.events().size() - reads.size(), noRead.events().size());
    }
  }

  @Test
  void aGroupShowsNothingFromBeforeTheJoinNorAfterTheLeaveAndOwnJoinsAndLeavesAreInfo() {
    TestServer.User alice = server.newUser("ja");
    TestServer.User bob = server.newUser("jb");
    String g = groupId();
    try (WsClient aliceSync = socket(alice, "sync"); WsClient aliceWs = server.chat(alice);
         WsClient bobWs = server.chat(bob)) {
      String since = Syncs.now(aliceSync);
      ok(bobWs, join(g));
      ok(bobWs, group(g, "before alice"));
      ok(aliceWs, join(g));
      String during = ok(bobWs, group(g, "while alice is in")).getString("messageId");
      ok(aliceWs, leave(g));
      ok(bobWs, group(g, "after alice left"));
      ok(aliceWs, join(g));
      String back = ok(bobWs, group(g, "alice is back")).getString("messageId");

      Syncs.Collected got = Syncs.until(aliceSync, since, 3,
        e -> e.stream().anyMatch(f -> back.equals(f.getString("messageId"))));
      List<String> seen = got.events().stream().map(f -> f.getString("type") + ":"
        + f.getString("event", f.getString("messageId"))).toList();
      assertEquals(List.of("INFO:JOINED", "GROUP_CHAT:" + during, "INFO:LEFT", "INFO:JOINED", "GROUP_CHAT:" + back), seen);
      got.events().stream().filter(f -> "INFO".equals(f.getString("type")))
        .forEach(f -> assertEquals(alice.name(), f.getString("username")));

      // a token taken after the leave sees nothing of the group until the next join
      ok(aliceWs, leave(g));
      String afterLeave = Syncs.until(aliceSync, got.next(), null, e -> ofType(e, "INFO").size() == 1).next();
      ok(bobWs, group(g, "unseen"));
      String marker = ok(bobWs, direct(alice.name(), "marker")).getString("messageId");
      Syncs.Collected later = Syncs.until(aliceSync, afterLeave, null,
        e -> e.stream().anyMatch(f -> marker.equals(f.getString("messageId"))));
      assertEquals(List.of("ONE_TO_ONE_CHAT"), types(later.events()));
    }
  }

  @Test
  void pagingWhileMessagesKeepComingLosesAndRepeatsNothing() throws Exception {
    TestServer.User alice = server.newUser("pa");
    TestServer.User bob = server.newUser("pb");
    int total = 150;
    try (WsClient aliceSync = socket(alice, "sync"); WsClient bobWs = server.chat(bob)) {
      String since = Syncs.now(aliceSync);
      for (int i = 0; i < 20; i++) {
        ok(bobWs, direct(alice.name(), "first " + i));
      }
      // bob keeps sending (without waiting for each answer) while alice pages with a small limit
      Thread sender = new Thread(() -> {
        for (int i = 20; i < total; i++) {
          bobWs.send(direct(alice.name(), "m " + i));
        }
      });
      sender.start();
      Syncs.Collected got = Syncs.until(aliceSync, since, 7, e -> e.size() >= total);
      sender.join();
      List<Long> ids = got.events().stream().map(f -> id(f.getString("messageId"))).toList();
      assertEquals(total, ids.size(), "every message exactly once");
      assertEquals(total, new HashSet<>(ids).size());
      List<Long> sorted = new ArrayList<>(ids);
      sorted.sort(null);
      assertEquals(sorted, ids, "in position order");
      assertTrue(got.calls() > total / 7, "paged: " + got.calls() + " calls");
      assertEquals(0, sync(aliceSync, got.next(), null).getJsonArray("events").size());
    }
  }

  @Test
  void theInboxSyncTokenWorksAsSince() {
    TestServer.User alice = server.newUser("ia");
    TestServer.User bob = server.newUser("ib");
    try (WsClient aliceWs = socket(alice, "read", "sync"); WsClient bobWs = server.chat(bob)) {
      ok(bobWs, direct(alice.name(), "before the inbox"));
      JsonObject inbox = Extensions.inbox(aliceWs, null, null);
      String token = inbox.getString("syncToken");
      String after = ok(bobWs, direct(alice.name(), "after the inbox")).getString("messageId");
      Syncs.Collected got = Syncs.until(aliceWs, token, null,
        e -> e.stream().anyMatch(f -> after.equals(f.getString("messageId"))));
      // the inbox's moment is the watermark: what it may not have shown comes again, never less
      assertEquals(after, ofType(got.events(), "ONE_TO_ONE_CHAT").get(ofType(got.events(), "ONE_TO_ONE_CHAT").size() - 1)
        .getString("messageId"));
      JsonObject rest = server.rest.get("/api/inbox", alice.token()).json();
      JsonObject fromRest = sync(aliceWs, rest.getString("syncToken"), 1);
      assertEquals(List.of(), fromRest.getJsonArray("events").getList().stream()
        .filter(f -> !after.equals(((java.util.Map<?, ?>) f).get("messageId"))).toList());
    }
  }

  @Test
  void badTokensAndLimitsAreInvalidWithTheClientMsgIdAndSyncNeedsTheFeature() {
    TestServer.User alice = server.newUser("ba");
    try (WsClient aliceWs = socket(alice, "read", "sync"); WsClient plain = server.chat(alice)) {
      String good = Syncs.now(aliceWs);
      String plainText = new String(Base64.getUrlDecoder().decode(good), StandardCharsets.US_ASCII);
      String[] parts = plainText.split("\\.");
      String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("s2." + (Long.parseLong(parts[1]) - 1) + "." + parts[2]).getBytes(StandardCharsets.US_ASCII));
      String inboxCursor = Base64.getUrlEncoder().withoutPadding().encodeToString("i1.5.5.5".getBytes(StandardCharsets.US_ASCII));
      List<Object> badSince = List.of("garbage", tampered, inboxCursor, 5, true, "x".repeat(500));
      for (Object since : badSince) {
        aliceWs.send(new JsonObject().put("type", "SYNC").put("since", since).put("clientMsgId", "bad"));
        JsonObject error = aliceWs.until(f -> "bad".equals(f.getString("clientMsgId")));
        assertEquals("ERROR", error.getString("type"), String.valueOf(since));
        assertEquals("INVALID", error.getString("code"), String.valueOf(since));
      }
      for (Object limit : List.of(0, 1001, -1, "ten", 2.5)) {
        aliceWs.send(new JsonObject().put("type", "SYNC").put("since", good).put("limit", limit).put("clientMsgId", "lim"));
        JsonObject error = aliceWs.until(f -> "lim".equals(f.getString("clientMsgId")));
        assertEquals("INVALID", error.getString("code"), String.valueOf(limit));
      }
      assertFalse(sync(aliceWs, good, 1000).getBoolean("hasMore"));
      assertFalse(sync(aliceWs, good, 1).getBoolean("hasMore"));
      plain.send(new JsonObject().put("type", "SYNC").put("clientMsgId", "p"));
      JsonObject unknown = plain.until(f -> "p".equals(f.getString("clientMsgId")));
      assertEquals("UNKNOWN_TYPE", unknown.getString("code"));
    }
  }

  @Test
  void editsAndDeletionsComeToEditSocketsAtTheirPositionsAndOthersSeeCurrentTextOnly() {
    TestServer.User alice = server.newUser("xa");
    TestServer.User bob = server.newUser("xb");
    try (WsClient aliceEdit = socket(alice, "edit", "sync"); WsClient alicePlain = socket(alice, "sync");
         WsClient bobWs = socket(bob, "edit")) {
      String start = Syncs.now(aliceEdit);
      String old = ok(bobWs, direct(alice.name(), "old")).getString("messageId");
      String since = Syncs.until(aliceEdit, start, null,
        e -> e.stream().anyMatch(f -> old.equals(f.getString("messageId")))).next();
      String kept = ok(bobWs, direct(alice.name(), "typo")).getString("messageId");
      String gone = ok(bobWs, direct(alice.name(), "regret")).getString("messageId");
      JsonObject edited = ok(bobWs, new JsonObject().put("type", "EDIT_MESSAGE").put("messageId", kept).put("content", "fixed"));
      ok(bobWs, new JsonObject().put("type", "DELETE_MESSAGE").put("messageId", gone));
      ok(bobWs, new JsonObject().put("type", "DELETE_MESSAGE").put("messageId", old));
      String marker = ok(bobWs, direct(alice.name(), "marker")).getString("messageId");

      Syncs.Collected withEdit = Syncs.until(aliceEdit, since, null,
        e -> e.stream().anyMatch(f -> marker.equals(f.getString("messageId"))));
      assertEquals(List.of("ONE_TO_ONE_CHAT " + kept, "MESSAGE_EDITED " + kept, "MESSAGE_DELETED " + gone,
          "MESSAGE_DELETED " + old, "ONE_TO_ONE_CHAT " + marker),
        withEdit.events().stream().map(f -> f.getString("type") + " " + f.getString("messageId")).toList());
      JsonObject message = withEdit.events().get(0);
      assertEquals("fixed", message.getString("content"));
      assertEquals(edited.getString("editedAt"), message.getString("editedAt"));
      JsonObject edit = withEdit.events().get(1);
      assertEquals(Set.of("type", "messageId", "chatId", "from", "content", "timestamp", "editedAt"), edit.fieldNames());
      assertEquals("fixed", edit.getString("content"));
      assertEquals(Set.of("type", "messageId", "chatId", "deletedAt"), withEdit.events().get(2).fieldNames());

      Syncs.Collected plain = Syncs.until(alicePlain, since, null,
        e -> e.stream().anyMatch(f -> marker.equals(f.getString("messageId"))));
      assertEquals(List.of(kept, marker), plain.events().stream().map(f -> f.getString("messageId")).toList());
      assertEquals("fixed", plain.events().get(0).getString("content"));
      assertFalse(plain.events().get(0).containsKey("editedAt"));
    }
  }

  @Test
  void noReceiptCrossesABlockInAChat() {
    TestServer.User alice = server.newUser("ka");
    TestServer.User bob = server.newUser("kb");
    String g = groupId();
    try (WsClient aliceWs = socket(alice, "read", "sync"); WsClient bobWs = socket(bob, "read")) {
      String start = Syncs.now(aliceWs);
      String m1 = ok(aliceWs, direct(bob.name(), "hello")).getString("messageId");
      String chatId = bobWs.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type"))).getString("chatId");
      String since = Syncs.until(aliceWs, start, null,
        e -> e.stream().anyMatch(f -> m1.equals(f.getString("messageId")))).next();
      assertEquals(204, server.rest.post("/api/blocks", new JsonObject().put("username", alice.name()), bob.token()).status());
      assertEquals(m1, ok(bobWs, markChat(chatId, m1)).getString("messageId"));
      ok(aliceWs, join(g));
      Syncs.Collected got = Syncs.until(aliceWs, since, null, e -> !ofType(e, "INFO").isEmpty());
      assertEquals(List.of("INFO"), types(got.events()), "bob's receipt is not shown to alice while he blocks her");
    }
  }

  /** A MARK_READ alone makes the conversation's events_pos pass the token (else SYNC would never look there). */
  @Test
  void aReceiptAloneIsFoundAfterAToken() {
    TestServer.User alice = server.newUser("qa");
    TestServer.User bob = server.newUser("qb");
    try (WsClient aliceWs = socket(alice, "read", "sync"); WsClient bobWs = socket(bob, "read")) {
      String start = Syncs.now(aliceWs);
      String m1 = ok(aliceWs, direct(bob.name(), "hello")).getString("messageId");
      String chatId = bobWs.until(f -> "ONE_TO_ONE_CHAT".equals(f.getString("type"))).getString("chatId");
      String since = Syncs.until(aliceWs, start, null,
        e -> e.stream().anyMatch(f -> m1.equals(f.getString("messageId")))).next();
      assertTrue(Syncs.position(since) >= id(m1));
      ok(bobWs, markChat(chatId, m1));
      Syncs.Collected got = Syncs.until(aliceWs, since, null, e -> !e.isEmpty());
      assertEquals(List.of(new JsonObject().put("type", "READ").put("chatId", chatId).put("username", bob.name())
        .put("messageId", m1)), got.events());
    }
  }
}
