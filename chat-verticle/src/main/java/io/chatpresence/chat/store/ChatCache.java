package io.chatpresence.chat.store;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Chats by chatId and by pair. What a chat is (its id and its two users) never changes once created,
 * so a cached chat cannot be stale, on this node or any other; only groups change. Least recently used
 * first out. Touched only on its verticle's event loop.
 */
final class ChatCache {
  private final Map<String, Conversation> byId;
  private final Map<String, Conversation> byPair;

  ChatCache(int maxChats) {
    this.byId = lru(maxChats);
    this.byPair = lru(maxChats);
  }

  Conversation byId(String chatId) {
    return byId.get(chatId);
  }

  /** {@code a} before {@code b}, as stored. */
  Conversation byPair(String a, String b) {
    return byPair.get(pairKey(a, b));
  }

  /** Keeps a chat (a group is ignored); returns it. */
  Conversation keep(Conversation c) {
    if (c != null && c.isChat()) {
      Conversation plain = c.withCreated(false);
      byId.put(plain.externalId(), plain);
      byPair.put(pairKey(plain.userA(), plain.userB()), plain);
    }
    return c;
  }

  private static String pairKey(String a, String b) {
    // usernames cannot contain a space (Names), so the key is unambiguous
    return a + ' ' + b;
  }

  private static <V> Map<String, V> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }
}
