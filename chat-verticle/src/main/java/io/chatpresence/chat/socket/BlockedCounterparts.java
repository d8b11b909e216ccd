package io.chatpresence.chat.socket;

import io.chatpresence.chat.store.BlockStore;
import io.chatpresence.protocol.bus.BlocksChanged;
import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.server.socket.SessionRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The blocks of this chat instance's online users, both ways, in memory: typing and read receipts in one-to-one
 * chats check them without a database read. A user's blocks are read on first need (a typing or a receipt),
 * kept while the user has a socket here, and kept current by the {@link BlocksChanged} records that every block
 * and unblock publishes cluster-wide. Sends never rely on this: the message insert checks the table itself.
 * Touched only on the verticle's event loop.
 */
final class BlockedCounterparts {
  /** One user's blocks; while the first read runs, changes heard meanwhile are kept and applied after it. */
  private static final class Entry {
    final Set<String> blocking = new HashSet<>();
    final Set<String> blockedBy = new HashSet<>();
    Future<Entry> loaded;
    List<BlocksChanged> heardWhileLoading = new ArrayList<>();

    void apply(String user, BlocksChanged c) {
      if (c.blocker().equals(user)) {
        if (c.blocking()) {
          blocking.add(c.blocked());
        } else {
          blocking.remove(c.blocked());
        }
      }
      if (c.blocked().equals(user)) {
        if (c.blocking()) {
          blockedBy.add(c.blocker());
        } else {
          blockedBy.remove(c.blocker());
        }
      }
    }

    boolean either(String other) {
      return blocking.contains(other) || blockedBy.contains(other);
    }
  }

  private final Vertx vertx;
  private final BlockStore store;
  private final SessionRegistry registry;
  private final Map<String, Entry> users = new HashMap<>();

  BlockedCounterparts(Vertx vertx, BlockStore store, SessionRegistry registry) {
    this.vertx = vertx;
    this.store = store;
    this.registry = registry;
  }

  /** Consumes the block changes of every node; complete before this instance accepts sockets. */
  Future<Void> start() {
    return Bus.BLOCKS_CHANGED.consumer(vertx.eventBus(), this::changed).completion();
  }

  /** Whether {@code user} (online here) blocks {@code other} or is blocked by them. */
  Future<Boolean> eitherWay(String user, String other) {
    Entry e = users.get(user);
    if (e == null) {
      Entry created = new Entry();
      users.put(user, created);
      created.loaded = store.counterparts(user).map(c -> {
        Entry now = users.get(user) == created ? created : new Entry();
        now.blocking.addAll(c.blocking());
        now.blockedBy.addAll(c.blockedBy());
        for (BlocksChanged heard : created.heardWhileLoading) {
          now.apply(user, heard);
        }
        created.heardWhileLoading = null;
        if (!registry.hasSessions(user)) {
          users.remove(user, created); // the last socket closed meanwhile: keep nothing for them
        }
        return now;
      }).onFailure(err -> users.remove(user, created));
      e = created;
    }
    return e.loaded.map(loaded -> loaded.either(other));
  }

  /** The user's last socket here closed: their blocks are read again when needed next. */
  void forget(String user) {
    users.remove(user);
  }

  private void changed(BlocksChanged c) {
    hear(c.blocker(), c);
    hear(c.blocked(), c);
  }

  private void hear(String user, BlocksChanged c) {
    Entry e = users.get(user);
    if (e == null) {
      return;
    }
    if (e.heardWhileLoading != null) {
      e.heardWhileLoading.add(c);
    } else {
      e.apply(user, c);
    }
  }

  /** Users whose blocks are held here (tests). */
  int size() {
    return users.size();
  }
}
