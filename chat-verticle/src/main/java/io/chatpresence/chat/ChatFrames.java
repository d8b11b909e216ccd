package io.chatpresence.chat;

import io.chatpresence.chat.store.ChatSummary;
import io.chatpresence.chat.store.Conversation;
import io.chatpresence.chat.store.GroupSummary;
import io.chatpresence.chat.store.InboxCursor;
import io.chatpresence.chat.store.Kind;
import io.chatpresence.chat.store.MessageIds;
import io.chatpresence.chat.store.ReadStore;
import io.chatpresence.chat.store.StoredMessage;
import io.chatpresence.protocol.Frames;
import io.chatpresence.protocol.MessageType;
import io.chatpresence.protocol.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * Every JSON the chat server writes about chats, groups and messages: the WebSocket frames in the formats of
 * the client document, and the REST bodies of {@code api/openapi.json}. Stores return records; this is the
 * one place that turns them into wire JSON.
 */
public final class ChatFrames {
  private ChatFrames() {
  }

  // ---- WebSocket frames -----------------------------------------------------------------------------

  public static JsonObject received(StoredMessage m) {
    return m.conversationKind() == Kind.CHAT ? oneToOne(m) : group(m);
  }

  public static JsonObject oneToOne(StoredMessage m) {
    return new JsonObject()
      .put("type", MessageType.ONE_TO_ONE_CHAT)
      .put("from", m.from())
      .put("to", m.to())
      .put("content", m.content())
      .put("chatId", m.conversationId())
      .put("timestamp", Timestamps.format(m.createdAt()))
      .put("messageId", m.messageId());
  }

  public static JsonObject group(StoredMessage m) {
    return new JsonObject()
      .put("type", MessageType.GROUP_CHAT)
      .put("from", m.from())
      .put("groupId", m.conversationId())
      .put("content", m.content())
      .put("timestamp", Timestamps.format(m.createdAt()))
      .put("messageId", m.messageId());
  }

  /** The sender's acknowledgement, sent only once the message is committed. */
  public static JsonObject sent(StoredMessage m, String clientMsgId) {
    JsonObject frame = Frames.success("sent")
      .put("messageId", m.messageId())
      .put(idField(m.conversationKind()), m.conversationId())
      .put("timestamp", Timestamps.format(m.createdAt()));
    if (clientMsgId != null) {
      frame.put("clientMsgId", clientMsgId);
    }
    if (m.duplicate()) {
      frame.put("duplicate", true);
    }
    return frame;
  }

  /**
   * A history page. With {@code edit}: an edited message carries {@code editedAt}, a deleted one is a tombstone
   * ({@link #tombstone}). Without: the received format of the client document (deleted ones are not in the page).
   */
  public static JsonObject history(Conversation conv, List<StoredMessage> messages, boolean hasMore, boolean edit,
                                   String clientMsgId) {
    JsonArray list = new JsonArray();
    for (StoredMessage m : messages) {
      if (!edit) {
        list.add(received(m));
      } else if (m.deleted()) {
        list.add(tombstone(m));
      } else {
        JsonObject frame = received(m);
        list.add(m.editedAt() == null ? frame : frame.put("editedAt", Timestamps.format(m.editedAt())));
      }
    }
    return history(conv.kind(), conv.externalId(), list, hasMore, clientMsgId);
  }

  /** A deleted message in the history of a socket with {@code edit}: its place, without content. */
  public static JsonObject tombstone(StoredMessage m) {
    return new JsonObject()
      .put("type", m.conversationKind() == Kind.CHAT ? MessageType.ONE_TO_ONE_CHAT : MessageType.GROUP_CHAT)
      .put("messageId", m.messageId())
      .put(idField(m.conversationKind()), m.conversationId())
      .put("from", m.from())
      .put("timestamp", Timestamps.format(m.createdAt()))
      .put("deleted", true)
      .put("deletedAt", Timestamps.format(m.deletedAt()));
  }

  /** A chat nobody has written in yet: an empty page, not an error. */
  public static JsonObject emptyChatHistory(String chatId, String clientMsgId) {
    return history(Kind.CHAT, chatId, new JsonArray(), false, clientMsgId);
  }

  private static JsonObject history(Kind kind, String id, JsonArray messages, boolean hasMore, String clientMsgId) {
    JsonObject frame = new JsonObject()
      .put("type", kind == Kind.CHAT ? MessageType.ONE_TO_ONE_CHAT_HISTORY : MessageType.GROUP_CHAT_HISTORY)
      .put(idField(kind), id)
      .put("messages", messages)
      .put("hasMore", hasMore);
    if (clientMsgId != null) {
      frame.put("clientMsgId", clientMsgId);
    }
    return frame;
  }

  public static String idField(Kind kind) {
    return kind == Kind.CHAT ? "chatId" : "groupId";
  }

  // ---- extension frames (read, typing, edit) ---------------------------------------------------------------

  /** The answer to MARK_READ: the reader's position after the call and the unread count there. */
  public static JsonObject readSuccess(Kind kind, String conversationId, long readMessageId, long unread,
                                       String clientMsgId) {
    JsonObject frame = Frames.success("read").put(idField(kind), conversationId)
      .put("messageId", MessageIds.format(readMessageId)).put("unread", unread);
    return clientMsgId == null ? frame : frame.put("clientMsgId", clientMsgId);
  }

  /** A position moved: for the reader's other sockets with {@code unread}, as a receipt for others without. */
  public static JsonObject read(Kind kind, String conversationId, String username, String messageId, Long unread) {
    JsonObject frame = new JsonObject().put("type", MessageType.READ).put(idField(kind), conversationId)
      .put("username", username).put("messageId", messageId);
    return unread == null ? frame : frame.put("unread", unread);
  }

  /** INFO of a join and of a leave, live and in SYNC. */
  public static JsonObject joined(String groupId, String username) {
    return Frames.info(username + " joined " + groupId, "JOINED", groupId, username);
  }

  public static JsonObject left(String groupId, String username) {
    return Frames.info(username + " left " + groupId, "LEFT", groupId, username);
  }

  /** The answer to EDIT_MESSAGE, once the new text is committed. */
  public static JsonObject editSuccess(Kind kind, String conversationId, String messageId, OffsetDateTime editedAt,
                                       String clientMsgId) {
    JsonObject frame = Frames.success("edited").put("messageId", messageId).put(idField(kind), conversationId)
      .put("editedAt", Timestamps.format(editedAt));
    return clientMsgId == null ? frame : frame.put("clientMsgId", clientMsgId);
  }

  /** The answer to DELETE_MESSAGE (also to a repeat), once the text is erased. */
  public static JsonObject deleteSuccess(Kind kind, String conversationId, String messageId, String clientMsgId) {
    JsonObject frame = Frames.success("deleted").put("messageId", messageId).put(idField(kind), conversationId);
    return clientMsgId == null ? frame : frame.put("clientMsgId", clientMsgId);
  }

  public static JsonObject edited(Kind kind, String conversationId, String messageId, String from, String content,
                                  OffsetDateTime createdAt, OffsetDateTime editedAt) {
    return new JsonObject().put("type", MessageType.MESSAGE_EDITED).put("messageId", messageId)
      .put(idField(kind), conversationId).put("from", from).put("content", content)
      .put("timestamp", Timestamps.format(createdAt)).put("editedAt", Timestamps.format(editedAt));
  }

  public static JsonObject deleted(Kind kind, String conversationId, String messageId, OffsetDateTime deletedAt) {
    return new JsonObject().put("type", MessageType.MESSAGE_DELETED).put("messageId", messageId)
      .put(idField(kind), conversationId).put("deletedAt", Timestamps.format(deletedAt));
  }

  public static JsonObject typing(String idField, String conversationId, String username, boolean typing) {
    return new JsonObject().put("type", MessageType.TYPING).put(idField, conversationId).put("username", username)
      .put("typing", typing);
  }

  /** The inbox, as the INBOX frame's fields and the REST body. */
  public static JsonObject inbox(ReadStore.InboxPage page) {
    JsonArray conversations = new JsonArray();
    for (ReadStore.InboxEntry e : page.entries()) {
      JsonObject c = new JsonObject().put(idField(e.kind()), e.conversationId());
      if (e.kind() == Kind.CHAT) {
        c.put("with", e.with());
      } else {
        c.put("name", e.name());
      }
      c.put("lastMessage", e.lastMessage() == null ? null : received(e.lastMessage()))
        .put("unread", e.unread())
        .put("readMessageId", e.readMessageId() == null ? null : MessageIds.format(e.readMessageId()));
      if (e.kind() == Kind.CHAT) {
        c.put("partnerReadMessageId",
          e.partnerReadMessageId() == null ? null : MessageIds.format(e.partnerReadMessageId()));
      }
      conversations.add(c);
    }
    return new JsonObject().put("conversations", conversations).put("totalUnread", page.totalUnread())
      .put("next", page.next() == null ? null : page.next().encode())
      .put("syncToken", page.syncToken());
  }

  // ---- REST bodies ----------------------------------------------------------------------------------

  public static JsonObject token(String username, String token, Instant expiresAt) {
    return new JsonObject().put("username", username).put("token", token)
      .put("expiresAt", Timestamps.format(expiresAt));
  }

  public static JsonObject me(String username) {
    return new JsonObject().put("username", username);
  }

  /** Users in the order given, each with its status ("unknown" when presence did not say). */
  public static JsonArray users(List<String> names, Map<String, String> statuses) {
    JsonArray users = new JsonArray();
    names.forEach(n -> users.add(new JsonObject().put("username", n).put("status", statuses.getOrDefault(n, "unknown"))));
    return users;
  }

  public static JsonObject chat(Conversation chat) {
    return new JsonObject().put("chatId", chat.externalId())
      .put("participants", new JsonArray().add(chat.userA()).add(chat.userB()));
  }

  public static JsonArray chats(List<ChatSummary> chats) {
    JsonArray list = new JsonArray();
    for (ChatSummary c : chats) {
      list.add(new JsonObject().put("chatId", c.chatId())
        .put("participants", new JsonArray().add(c.userA()).add(c.userB()))
        .put("with", c.with())
        .put("lastMessage", c.lastMessage() == null ? null : oneToOne(c.lastMessage())));
    }
    return list;
  }

  public static JsonObject newGroup(String groupId, String name, String owner) {
    return new JsonObject().put("groupId", groupId).put("name", name).put("owner", owner);
  }

  public static JsonArray groups(List<GroupSummary> groups) {
    JsonArray list = new JsonArray();
    for (GroupSummary g : groups) {
      list.add(newGroup(g.groupId(), g.name(), g.owner()).put("memberCount", g.memberCount()));
    }
    return list;
  }
}
