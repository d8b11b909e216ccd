package io.chatpresence.chat.store;

import io.chatpresence.protocol.Frames;
import io.chatpresence.protocol.MessageType;
import io.chatpresence.protocol.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** The chat frames in the received formats of the client document. */
public final class ChatFrames {
  private ChatFrames() {
  }

  public static JsonObject received(StoredMessage m) {
    return "C".equals(m.conversationKind()) ? oneToOne(m) : group(m);
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
      .put("C".equals(m.conversationKind()) ? "chatId" : "groupId", m.conversationId())
      .put("timestamp", Timestamps.format(m.createdAt()));
    if (clientMsgId != null) {
      frame.put("clientMsgId", clientMsgId);
    }
    if (m.duplicate()) {
      frame.put("duplicate", true);
    }
    return frame;
  }

  public static JsonObject history(Conversation conv, List<StoredMessage> messages, boolean hasMore, String clientMsgId) {
    JsonArray list = new JsonArray();
    messages.forEach(m -> list.add(received(m)));
    boolean chat = "C".equals(conv.kind());
    JsonObject frame = new JsonObject()
      .put("type", chat ? MessageType.ONE_TO_ONE_CHAT_HISTORY : MessageType.GROUP_CHAT_HISTORY)
      .put(chat ? "chatId" : "groupId", conv.externalId())
      .put("messages", list)
      .put("hasMore", hasMore);
    if (clientMsgId != null) {
      frame.put("clientMsgId", clientMsgId);
    }
    return frame;
  }
}
