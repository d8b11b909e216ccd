package io.chatpresence.chat.store;

import io.chatpresence.protocol.ProtocolException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * SYNC tokens (and INBOX's {@code syncToken}): an event position (docs/architecture.md, "Event positions"),
 * as base64url("s2." + position + "." + mac), the mac a 96-bit HMAC-SHA256 of the position under a key derived
 * from {@code JWT_SECRET}. Every node has the same key, so a token is valid on every node and never expires; a
 * string we did not make is refused (INVALID) instead of being read as some position.
 */
public final class SyncTokens {
  /** The purpose the key is derived for (never the JWT key itself). */
  public static final String KEY_PURPOSE = "chatpresence sync token v2";
  private static final String VERSION = "s2";
  private static final int MAC_BYTES = 12;
  private static final int MAX_CHARS = 100;

  private final SecretKeySpec key;

  public SyncTokens(byte[] key) {
    this.key = new SecretKeySpec(key, "HmacSHA256");
  }

  public String encode(long position) {
    String plain = VERSION + "." + position + "." + mac(position);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
  }

  /** The position of a token this server made; INVALID naming {@code field} for anything else. */
  public long parse(String field, String token) {
    try {
      if (token.length() <= MAX_CHARS) {
        String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII).split("\\.", -1);
        if (parts.length == 3 && VERSION.equals(parts[0])) {
          long position = Long.parseLong(parts[1]);
          if (position >= 0 && MessageDigest.isEqual(mac(position).getBytes(StandardCharsets.US_ASCII),
            parts[2].getBytes(StandardCharsets.US_ASCII))) {
            return position;
          }
        }
      }
    } catch (IllegalArgumentException e) {
      // falls through to the error (NumberFormatException is one)
    }
    throw ProtocolException.invalid("field '" + field + "' is not a sync token this server gave");
  }

  private String mac(long position) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      byte[] full = mac.doFinal(Long.toString(position).getBytes(StandardCharsets.US_ASCII));
      byte[] shortMac = new byte[MAC_BYTES];
      System.arraycopy(full, 0, shortMac, 0, MAC_BYTES);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(shortMac);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
