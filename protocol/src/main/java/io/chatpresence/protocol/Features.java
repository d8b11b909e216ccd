package io.chatpresence.protocol;

import io.vertx.core.json.JsonArray;

/**
 * The extensions a socket opts into at AUTH ({@code "features":["read","typing",...]}), as bits of one small
 * mask: a server holds tens of thousands of sockets, so each keeps its features in one byte. A socket with no
 * bit set receives exactly what the client document describes.
 */
public final class Features {
  public static final int READ = 1;
  public static final int TYPING = 1 << 1;
  public static final int EDIT = 1 << 2;
  public static final int SYNC = 1 << 3;

  private static final String[] NAMES = {"read", "typing", "edit", "sync"};

  private Features() {
  }

  /** The bit of a feature name, or 0 for a name this protocol does not know. */
  public static int bit(String name) {
    for (int i = 0; i < NAMES.length; i++) {
      if (NAMES[i].equals(name)) {
        return 1 << i;
      }
    }
    return 0;
  }

  /**
   * The mask the AUTH field {@code features} asks for: unknown names, entries that are not strings and a value
   * that is not an array are ignored (AUTH is not the place to refuse a newer client).
   */
  public static int requested(Object field) {
    int mask = 0;
    if (field instanceof JsonArray names) {
      for (Object name : names) {
        if (name instanceof String s) {
          mask |= bit(s);
        }
      }
    }
    return mask;
  }

  /** The names of the bits set, in a fixed order: what the AUTH SUCCESS answers in {@code features}. */
  public static JsonArray names(int mask) {
    JsonArray names = new JsonArray();
    for (int i = 0; i < NAMES.length; i++) {
      if ((mask & (1 << i)) != 0) {
        names.add(NAMES[i]);
      }
    }
    return names;
  }

  public static String name(int bit) {
    return NAMES[Integer.numberOfTrailingZeros(bit)];
  }
}
