package io.chatpresence.chat.store;

import java.time.OffsetDateTime;

/**
 * A message as stored. {@code to} is the other participant for chats, null for groups. {@code duplicate} is
 * true when a retry found the first copy. {@code readPastOthers}: storing it moved the sender's read position
 * past at least one message of someone else (known only for a message just stored; false otherwise).
 * {@code editedAt} / {@code deletedAt}: when its text was last edited / when it was deleted (null: never; read
 * by history only, null elsewhere). A deleted message's {@code content} is empty: the text is erased.
 */
public record StoredMessage(long id, long seq, String from, String to, Kind conversationKind,
                            String conversationId, String content, OffsetDateTime createdAt, boolean duplicate,
                            boolean readPastOthers, OffsetDateTime editedAt, OffsetDateTime deletedAt) {

  public StoredMessage(long id, long seq, String from, String to, Kind conversationKind, String conversationId,
                       String content, OffsetDateTime createdAt, boolean duplicate) {
    this(id, seq, from, to, conversationKind, conversationId, content, createdAt, duplicate, false);
  }

  public StoredMessage(long id, long seq, String from, String to, Kind conversationKind, String conversationId,
                       String content, OffsetDateTime createdAt, boolean duplicate, boolean readPastOthers) {
    this(id, seq, from, to, conversationKind, conversationId, content, createdAt, duplicate, readPastOthers,
      null, null);
  }

  public String messageId() {
    return MessageIds.format(id);
  }

  public boolean deleted() {
    return deletedAt != null;
  }
}
