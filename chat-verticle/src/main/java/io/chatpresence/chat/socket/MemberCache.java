package io.chatpresence.chat.socket;

import io.chatpresence.chat.store.ConversationStore;
import io.vertx.core.Future;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Group member lists of one chat verticle instance, so that a group message does not read every member row
 * again. Never stale: every join and leave bumps the group's {@code members_version} in its transaction, and
 * a list is used only for a version at most the one it was read at ({@link #members}: the caller passes the
 * version it read with the sender's membership check, after which the list is read; so a list read after a
 * join always has the joiner, one read after a leave never the leaver). Concurrent misses for a group share
 * one read. Bounded: at most {@link #MAX_NAMES} names in all, least recently used groups go first.
 * Touched only on the owning verticle's event loop.
 */
final class MemberCache {
  /** About 50 bytes a name: a few MB per verticle instance at most. A larger group is read every time. */
  static final int MAX_NAMES = 100_000;

  private static final class Entry {
    /** The version the list is known to be at or after (the read started after it was seen). */
    long version;
    final Future<List<String>> names;
    int size = -1;

    Entry(long version, Future<List<String>> names) {
      this.version = version;
      this.names = names;
    }
  }

  private final LongFunction<Future<ConversationStore.Members>> read;
  private final int maxNames;
  private final Map<Long, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
  private int names;

  MemberCache(LongFunction<Future<ConversationStore.Members>> read, int maxNames) {
    this.read = read;
    this.maxNames = maxNames;
  }

  /** The members of a group at {@code version} or later; read from the database unless known. */
  Future<List<String>> members(long conversationId, long version) {
    Entry e = entries.get(conversationId);
    if (e != null && e.version >= version) {
      return e.names;
    }
    return refresh(conversationId, version);
  }

  /** Reads the members now (after a join or leave this instance just made) and keeps them. */
  Future<List<String>> refresh(long conversationId, long atLeast) {
    Future<ConversationStore.Members> reading = read.apply(conversationId);
    Entry entry = new Entry(atLeast, reading.map(ConversationStore.Members::names));
    forget(entries.put(conversationId, entry));
    reading.onComplete(members -> {
      if (entries.get(conversationId) == entry) {
        entry.version = Math.max(entry.version, members.version());
        entry.size = members.names().size();
        names += entry.size;
        evict();
      }
    }, failure -> entries.remove(conversationId, entry));
    return entry.names;
  }

  int cachedNames() {
    return names;
  }

  int groups() {
    return entries.size();
  }

  private void forget(Entry replaced) {
    if (replaced != null && replaced.size > 0) {
      names -= replaced.size;
    }
  }

  private void evict() {
    Iterator<Entry> oldestFirst = entries.values().iterator();
    while (names > maxNames && oldestFirst.hasNext()) {
      Entry e = oldestFirst.next();
      if (e.size >= 0) {
        names -= e.size;
        oldestFirst.remove();
      }
    }
  }
}
