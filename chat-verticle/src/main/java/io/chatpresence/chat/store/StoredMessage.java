package io.chatpresence.chat.store;

import java.time.OffsetDateTime;

/**
 * A message as stored. {@code to} is the other participant for chats, null for groups. {@code duplicate} is
 * true when a retry found the first copy. {@code readPastOthers}: storing it moved the sender's read position
 * past at least one message of someone else (known only for a message just stored; false otherwise).
 */
public record StoredMessage(long id, long seq, String from, String to, Kind conversationKind,
                            String conversationId, String content, OffsetDateTime createdAt, boolean duplicate,
                            boolean readPastOthers) {

  public StoredMessage(long id, long seq, String from, String to, Kind conversationKind, String conversationId,
                       String content, OffsetDateTime createdAt, boolean duplicate) {
    this(id, seq, from, to, conversationKind, conversationId, content, createdAt, duplicate, false);
  }

  public String messageId() {
    return MessageIds.format(id);
  }
}
