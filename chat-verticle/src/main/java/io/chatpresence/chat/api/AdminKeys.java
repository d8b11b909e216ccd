package io.chatpresence.chat.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The server-side API's keys ({@code ADMIN_API_KEYS}, comma or whitespace separated). A presented key is compared
 * with every configured one in constant time: both are hashed to 32 bytes first (so neither the length nor the
 * position of the first differing byte shows in the time) and no comparison stops early. Keys are known by their
 * index in logs and metrics, never by their value.
 */
final class AdminKeys {
  static final int NONE = -1;
  /** A shorter key could be guessed; refused at start rather than accepted quietly. */
  static final int MIN_KEY_CHARS = 16;
  private final List<byte[]> hashes = new ArrayList<>();

  AdminKeys(String configured) {
    if (configured != null) {
      for (String key : configured.split("[,\\s]+")) {
        if (key.isEmpty()) {
          continue;
        }
        if (key.length() < MIN_KEY_CHARS) {
          throw new IllegalArgumentException("ADMIN_API_KEYS: key #" + hashes.size() + " is shorter than "
            + MIN_KEY_CHARS + " characters");
        }
        hashes.add(sha256(key));
      }
    }
  }

  boolean enabled() {
    return !hashes.isEmpty();
  }

  /** The index of the matching key, or {@link #NONE}. */
  int match(String presented) {
    if (presented == null) {
      return NONE;
    }
    byte[] hash = sha256(presented);
    int found = NONE;
    for (int i = 0; i < hashes.size(); i++) {
      if (MessageDigest.isEqual(hashes.get(i), hash) & found == NONE) {
        found = i;
      }
    }
    return found;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
