package io.chatpresence.launcher;

import io.chatpresence.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;


import static io.chatpresence.launcher.Edits.delete;
import static io.chatpresence.launcher.Edits.edit;
import static io.chatpresence.launcher.Edits.ofType;
import static io.chatpresence.launcher.Edits.sendDirect;
import static io.chatpresence.launcher.Edits.sendGroup;
import static io.chatpresence.launcher.Edits.success;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Edits and deletions across clustered nodes (real Hazelcast on loopback, one JVM): A runs chat and presence, B
 * runs chat. Whoever acts on one node is heard by the edit sockets on the other; plain sockets hear nothing.
 */
class EditDeleteClusterTest {
  @RegisterExtension
  static final TwoNodes nodes = TwoNodes.chat("edit-test").presenceOnA();
  private static ClusterNode a;
  private static ClusterNode b;

  @BeforeAll
  static void bothNodes() {
    a = nodes.a();
    b = nodes.b();
  }

  @Test
  void anEditAndADeletionOnOneNodeReachTheEditSocketsOnTheOther() {
    TestServer.User alice = nodes.user("xa");
    TestServer.User bob = nodes.user("xb");
    try (WsClient aliceA = nodes.on(a, alice, "edit"); WsClient aliceB = nodes.on(b, alice, "edit");
         WsClient alicePlainB = nodes.on(b, alice); WsClient bobB = nodes.on(b, bob, "edit"); WsClient bobPlainA = nodes.on(a, bob)) {
      JsonObject sent = sendDirect(aliceA, bob.name(), "first");
      String id = sent.getString("messageId");
      String chatId = sent.getString("chatId");
      aliceA.send(edit(id, "second"));
      String editedAt = success(aliceA, "edited").getString("editedAt");
      JsonObject edited = ofType(bobB, "MESSAGE_EDITED");
      assertEquals("second", edited.getString("content"));
      assertEquals(editedAt, edited.getString("editedAt"));
      assertEquals(edited, ofType(aliceB, "MESSAGE_EDITED"));

      aliceA.send(delete(id));
      success(aliceA, "deleted");
      assertEquals(id, ofType(bobB, "MESSAGE_DELETED").getString("messageId"));
      assertEquals(id, ofType(aliceB, "MESSAGE_DELETED").getString("messageId"));

      // the plain sockets on either node: only the message itself, and a history without it
      for (WsClient plain : new WsClient[] {alicePlainB, bobPlainA}) {
        Extensions.onlyClientDocumentFrames(plain, "ONE_TO_ONE_CHAT_HISTORY",
          new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("chatId", chatId));
        assertEquals(0, Edits.history(plain, "chatId", chatId, null, null, null).getJsonArray("messages").size());
      }
    }
  }

  @Test
  void aGroupOwnersDeletionOnOneNodeReachesTheMembersOnTheOther() {
    TestServer.User owner = nodes.user("xo");
    TestServer.User member = nodes.user("xm");
    String group = "xg_" + owner.name();
    try (WsClient ownerA = nodes.on(a, owner, "edit"); WsClient memberB = nodes.on(b, member, "edit");
         WsClient memberPlainB = nodes.on(b, member)) {
      Edits.join(ownerA, group);
      Edits.join(memberB, group);
      String id = sendGroup(memberB, group, "said on B").getString("messageId");
      memberB.send(edit(id, "edited on B"));
      success(memberB, "edited");
      assertEquals("edited on B", ofType(ownerA, "MESSAGE_EDITED").getString("content"));
      ownerA.send(delete(id));
      assertEquals(group, success(ownerA, "deleted").getString("groupId"));
      JsonObject deleted = ofType(memberB, "MESSAGE_DELETED");
      assertEquals(id, deleted.getString("messageId"));
      assertEquals(group, deleted.getString("groupId"));
      Extensions.onlyClientDocumentFrames(memberPlainB, "GROUP_CHAT_HISTORY",
        new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", group));
    }
  }
}
