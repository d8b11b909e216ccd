package io.chatpresence.launcher;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The presence server: snapshot after AUTH, contacts' changes, grace period, large groups. */
class PresenceTest {
  private static final int GROUP_LIMIT = 3;
  @RegisterExtension
  static final TestServer server = TestServer.perClass(new JsonObject().put(ConfigKeys.CONTACT_GROUP_MAX_MEMBERS, GROUP_LIMIT));

  private static void contacts(TestServer.User a, TestServer.User b) {
    assertEquals(200, server.rest.post("/api/chats", new JsonObject().put("with", b.name()), a.token()).status());
  }

  private static JsonObject update(WsClient presence, String username) {
    JsonObject frame = presence.until(f -> username.equals(f.getString("username")));
    assertEquals("PRESENCE_UPDATE", frame.getString("type"));
    Instant.parse(frame.getString("timestamp"));
    return frame;
  }

  @Test
  void afterAuthTheClientGetsEachOnlineContactThenTheirChanges() {
    TestServer.User alice = server.newUser("palice");
    TestServer.User bob = server.newUser("pbob");
    TestServer.User carol = server.newUser("pcarol");
    contacts(alice, bob);
    contacts(carol, alice);
    try (WsClient bobChat = server.chat(bob); WsClient alicePresence = server.presence(alice)) {
      JsonObject snapshot = alicePresence.next("PRESENCE_UPDATE");
      assertEquals(bob.name(), snapshot.getString("username"));
      assertEquals("online", snapshot.getString("status"));

      try (WsClient carolPresence = server.presence(carol)) {
        assertEquals("online", update(alicePresence, carol.name()).getString("status"));
        assertEquals(alice.name(), carolPresence.next("PRESENCE_UPDATE").getString("username"));
      }
      assertEquals("offline", update(alicePresence, carol.name()).getString("status"));
    }
  }

  @Test
  void aReconnectWithinTheGracePeriodShowsNoFlap() {
    TestServer.User alice = server.newUser("galice");
    TestServer.User dave = server.newUser("gdave");
    contacts(alice, dave);
    try (WsClient alicePresence = server.presence(alice)) {
      WsClient first = server.chat(dave);
      assertEquals("online", update(alicePresence, dave.name()).getString("status"));
      first.close();
      try (WsClient second = server.chat(dave)) {
        List<JsonObject> seen = new ArrayList<>();
        // well past the 600 ms grace period: nothing about dave may arrive
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
          .until(() -> {
            seen.addAll(alicePresence.pending());
            return seen.stream().noneMatch(f -> dave.name().equals(f.getString("username")));
          });
      }
      assertEquals("offline", update(alicePresence, dave.name()).getString("status"));
    }
  }

  @Test
  void strangersAndMembersOfLargeGroupsAreNotContacts() {
    TestServer.User alice = server.newUser("lalice");
    TestServer.User friend = server.newUser("lfriend");
    TestServer.User stranger = server.newUser("lstranger");
    contacts(alice, friend);
    List<TestServer.User> crowd = new ArrayList<>();
    String groupId = "crowd_" + alice.name();
    for (int i = 0; i < GROUP_LIMIT; i++) {
      crowd.add(server.newUser("lcrowd"));
    }
    try (WsClient a = server.chat(alice)) {
      a.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
      a.next("SUCCESS");
    }
    for (TestServer.User member : crowd) {
      try (WsClient m = server.chat(member)) {
        m.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
        m.next("SUCCESS");
      }
    }
    try (WsClient alicePresence = server.presence(alice)) {
      try (WsClient s = server.chat(stranger); WsClient c = server.chat(crowd.get(0)); WsClient f = server.chat(friend)) {
        List<JsonObject> before = new ArrayList<>();
        JsonObject friendOnline = alicePresence.until(u -> friend.name().equals(u.getString("username")), before);
        assertEquals("online", friendOnline.getString("status"));
        assertTrue(before.isEmpty(), "only contacts are announced: " + before);
      }
    }
  }

  @Test
  void aNewContactsStatusArrivesAtOnce() {
    TestServer.User alice = server.newUser("nalice");
    TestServer.User zed = server.newUser("nzed");
    try (WsClient zedChat = server.chat(zed); WsClient alicePresence = server.presence(alice)) {
      zedChat.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", alice.name()).put("content", "hi"));
      zedChat.next("SUCCESS");
      assertEquals("online", update(alicePresence, zed.name()).getString("status"));
    }
  }

  @Test
  void theSameNewsIsNotSentTwice() {
    TestServer.User alice = server.newUser("dalice");
    TestServer.User bob = server.newUser("dbob");
    TestServer.User carol = server.newUser("dcarol");
    contacts(alice, bob);
    String groupId = "both_" + alice.name();
    try (WsClient bobChat = server.chat(bob); WsClient aliceChat = server.chat(alice);
         WsClient alicePresence = server.presence(alice)) {
      assertEquals(bob.name(), alicePresence.next("PRESENCE_UPDATE").getString("username"));
      aliceChat.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
      aliceChat.next("SUCCESS");
      bobChat.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
      bobChat.next("SUCCESS");
      try (WsClient carolChat = server.chat(carol)) {
        carolChat.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", alice.name()).put("content", "hi"));
        carolChat.next("SUCCESS");
        // bob became a contact a second time (the group): his status, already sent, is not repeated
        assertEquals(carol.name(), alicePresence.next("PRESENCE_UPDATE").getString("username"));
      }
    }
  }

  @Test
  void presenceOnlyRefusesOtherFrames() {
    try (WsClient p = server.presence(server.newUser("ponly"))) {
      p.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT"));
      assertEquals("UNKNOWN_TYPE", p.next("ERROR").getString("code"));
      p.send(new JsonObject().put("type", "DISCONNECT"));
      assertEquals(1000, p.closeCode());
    }
  }
}
