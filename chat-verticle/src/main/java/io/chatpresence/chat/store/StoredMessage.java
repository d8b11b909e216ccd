package io.chatpresence.chat.store;

import java.time.OffsetDateTime;

/**
 * A message as stored. {@code to} is the other participant for chats, null for groups. {@code duplicate} is
 * true when a retry found the first copy.
 */
public record StoredMessage(long id, long seq, String from, String to, Kind conversationKind,
                            String conversationId, String content, OffsetDateTime createdAt, boolean duplicate) {

  public String messageId() {
    return MessageIds.format(id);
  }
}
