package io.chatpresence.chat.store;

import io.chatpresence.protocol.ProtocolException;

/** {@code msg_<id>}: the message's row id, unique cluster-wide and increasing within a conversation. */
public final class MessageIds {
  private static final String PREFIX = "msg_";

  private MessageIds() {
  }

  public static String format(long id) {
    return PREFIX + id;
  }

  public static long parse(String field, String messageId) {
    if (messageId.startsWith(PREFIX) && messageId.length() > PREFIX.length() && messageId.length() <= 24) {
      try {
        long id = Long.parseLong(messageId.substring(PREFIX.length()));
        if (id > 0) {
          return id;
        }
      } catch (NumberFormatException ignored) {
        // falls through to the error
      }
    }
    throw ProtocolException.invalid("field '" + field + "' must be a messageId like msg_123");
  }
}
