package io.chatpresence.chat.store;

import io.chatpresence.protocol.ProtocolException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where the next inbox page starts: the snapshot the paging orders by (a message id: the moment of the first
 * page), and the sort key and conversation of the last row given. Opaque to clients (base64url).
 */
public record InboxCursor(long snapshot, long key, long conversation) {
  private static final String VERSION = "i1";

  public String encode() {
    String plain = VERSION + "." + snapshot + "." + key + "." + conversation;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
  }

  /** INVALID for anything this server did not make. */
  public static InboxCursor parse(String field, String token) {
    try {
      if (token.length() <= 120) {
        String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII).split("\\.");
        if (parts.length == 4 && VERSION.equals(parts[0])) {
          return new InboxCursor(Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3]));
        }
      }
    } catch (IllegalArgumentException e) {
      // falls through to the error (NumberFormatException is one)
    }
    throw ProtocolException.invalid("field '" + field + "' is not a cursor this server gave");
  }
}
