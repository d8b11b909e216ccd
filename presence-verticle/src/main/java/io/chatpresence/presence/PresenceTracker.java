package io.chatpresence.presence;

import io.chatpresence.protocol.Timestamps;
import io.chatpresence.protocol.bus.SocketDelta;
import io.chatpresence.protocol.bus.SourceHeartbeat;
import io.chatpresence.protocol.bus.SourceId;
import io.chatpresence.protocol.bus.SourceSnapshot;
import io.vertx.core.Vertx;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Who is online, cluster-wide: for each user, how many authenticated sockets each source (a verticle
 * instance owning sockets, on some node) reports. A user is online while the sum is positive; going to zero
 * starts a grace period, and a socket opening within it cancels the offline (no flap).
 *
 * <p>Sources are forgotten when their node leaves the cluster ({@link #dropNode}) or, as a backstop, when
 * their heartbeat stops ({@link #sweep}). A heartbeat whose event count differs from what was applied (events
 * lost, a partition healed, a source we dropped) asks that source for its full counts ({@code resync}).
 * Touched only on the presence verticle's event loop.
 */
final class PresenceTracker {
  interface Listener {
    void statusChanged(String username, boolean online, String timestamp);
  }

  private static final class Source {
    final String node;
    /** A small number naming this source in {@link User#counts}, reused once the source is dropped. */
    final int index;
    long applied;
    long lastSeenNanos = System.nanoTime();
    long resyncAskedNanos;

    Source(String node, int index) {
      this.node = node;
      this.index = index;
    }
  }

  private static final int[] NONE = new int[0];

  /**
   * One user known here: their sockets by source and whether they are online. Kept small, as there is one per
   * user with a socket anywhere in the cluster: the counts are (source index, count) pairs in one int array,
   * the online time is epoch milliseconds, formatted when asked.
   */
  private static final class User {
    /** The name, the same String as this user's key: shared by whoever keeps the name (see {@link #canonical}). */
    final String name;
    int[] counts = NONE;
    /** Epoch millis since when online, or -1: offline. */
    long since = -1;
    /** The grace timer before offline, or -1. */
    long offlineTimer = -1;

    int count(int source) {
      for (int i = 0; i < counts.length; i += 2) {
        if (counts[i] == source) {
          return counts[i + 1];
        }
      }
      return 0;
    }

    /** Sets the count of a source; zero or less removes it. Returns whether the source had a count. */
    boolean set(int source, int n) {
      for (int i = 0; i < counts.length; i += 2) {
        if (counts[i] == source) {
          if (n > 0) {
            counts[i + 1] = n;
          } else if (counts.length == 2) {
            counts = NONE;
          } else {
            int[] less = new int[counts.length - 2];
            System.arraycopy(counts, 0, less, 0, i);
            System.arraycopy(counts, i + 2, less, i, counts.length - i - 2);
            counts = less;
          }
          return true;
        }
      }
      if (n > 0) {
        int[] more = Arrays.copyOf(counts, counts.length + 2);
        more[counts.length] = source;
        more[counts.length + 1] = n;
        counts = more;
      }
      return false;
    }

    User(String name) {
      this.name = name;
    }

    boolean hasSockets() {
      return counts.length > 0;
    }
  }

  private final Vertx vertx;
  private final long graceMs;
  private final long sourceTtlNanos;
  private final Listener listener;
  private final Consumer<String> resync;
  private final Map<String, Source> sources = new HashMap<>();
  private final BitSet sourceIndexes = new BitSet();
  /** Members the cluster removed: what they still send (a node cut off, not dead) is ignored until they rejoin. */
  private final Set<String> removedNodes = new HashSet<>();
  /** Every user with a socket somewhere, or online (within the grace period after the last socket closed). */
  private final Map<String, User> users = new HashMap<>();
  private final LongConsumer onlineCount;
  private int online;

  /**
   * {@code listener} hears every status change; {@code resync} asks a source for its full counts;
   * {@code onlineCount} is told the number of users online after every change (the metrics gauge).
   */
  PresenceTracker(Vertx vertx, long graceMs, long sourceTtlMs, Listener listener, Consumer<String> resync,
                  LongConsumer onlineCount) {
    this.vertx = vertx;
    this.graceMs = graceMs;
    this.sourceTtlNanos = sourceTtlMs * 1_000_000L;
    this.listener = listener;
    this.resync = resync;
    this.onlineCount = onlineCount;
  }

  boolean isOnline(String username) {
    User u = users.get(username);
    return u != null && u.since >= 0;
  }

  /**
   * The String this tracker keeps for the user, if it knows them (else the argument): names that per-socket
   * state keeps (one entry per contact per socket) then share one copy instead of one per database row read.
   */
  String canonical(String username) {
    User u = users.get(username);
    return u == null ? username : u.name;
  }

  String onlineSince(String username) {
    User u = users.get(username);
    return u == null || u.since < 0 ? null : Timestamps.format(Instant.ofEpochMilli(u.since));
  }

  void apply(SocketDelta event) {
    if (removedNodes.contains(event.source().node())) {
      return;
    }
    String username = event.username();
    int delta = event.delta();
    Source s = seen(event.source());
    s.applied++;
    User u = users.get(username);
    if (u == null) {
      u = new User(username);
      users.put(username, u);
    }
    u.set(s.index, u.count(s.index) + delta);
    settle(username);
  }

  void heartbeat(SourceHeartbeat beat) {
    if (removedNodes.contains(beat.source().node())) {
      return;
    }
    Source s = sources.get(beat.source().source());
    if (s == null || s.applied != beat.published()) {
      askResync(beat.source().source(), s);
    }
    if (s != null) {
      s.lastSeenNanos = System.nanoTime();
    }
  }

  /** A source's full report replaces what we knew of it. */
  void snapshot(SourceSnapshot report) {
    if (removedNodes.contains(report.source().node())) {
      return;
    }
    Source s = seen(report.source());
    s.applied = report.published();
    Map<String, Integer> counts = report.counts();
    Set<String> touched = new HashSet<>(counts.keySet());
    users.forEach((user, u) -> {
      if (u.count(s.index) > 0) {
        touched.add(user);
      }
    });
    for (String user : touched) {
      User u = users.get(user);
      if (u == null) {
        u = new User(user);
        users.put(user, u);
      }
      Integer n = counts.get(user);
      u.set(s.index, n == null ? 0 : n);
      settle(user);
    }
  }

  /** A member left or was dropped by failure detection: its sockets no longer count. */
  void dropNode(String node) {
    removedNodes.add(node);
    List<String> gone = new ArrayList<>();
    sources.forEach((id, s) -> {
      if (s.node.equals(node)) {
        gone.add(id);
      }
    });
    gone.forEach(this::dropSource);
  }

  /** A member joined, or came back after a partition: its sources count again (their heartbeats resync them). */
  void nodeAdded(String node) {
    removedNodes.remove(node);
  }

  /** Backstop for anything the membership listener missed: sources silent for longer than the TTL. */
  void sweep() {
    long now = System.nanoTime();
    List<String> silent = new ArrayList<>();
    sources.forEach((id, s) -> {
      if (now - s.lastSeenNanos > sourceTtlNanos) {
        silent.add(id);
      }
    });
    silent.forEach(this::dropSource);
  }

  int sourceCount() {
    return sources.size();
  }

  private void dropSource(String source) {
    Source s = sources.remove(source);
    if (s == null) {
      return;
    }
    List<String> affected = new ArrayList<>();
    users.forEach((user, u) -> {
      if (u.set(s.index, 0)) {
        affected.add(user);
      }
    });
    sourceIndexes.clear(s.index);
    affected.forEach(this::settle);
  }

  private Source seen(SourceId source) {
    Source s = sources.computeIfAbsent(source.source(), id -> {
      int index = sourceIndexes.nextClearBit(0);
      sourceIndexes.set(index);
      return new Source(source.node(), index);
    });
    s.lastSeenNanos = System.nanoTime();
    return s;
  }

  private void askResync(String source, Source s) {
    long now = System.nanoTime();
    if (s != null && now - s.resyncAskedNanos < 1_000_000_000L) {
      return;
    }
    if (s != null) {
      s.resyncAskedNanos = now;
    }
    resync.accept(source);
  }

  private void settle(String username) {
    User u = users.get(username);
    if (u == null) {
      return;
    }
    if (u.hasSockets()) {
      if (u.offlineTimer != -1) {
        vertx.cancelTimer(u.offlineTimer);
        u.offlineTimer = -1;
      } else if (u.since < 0) {
        Instant now = Instant.now();
        u.since = now.toEpochMilli();
        online++;
        onlineCount.accept(online);
        listener.statusChanged(u.name, true, Timestamps.format(now));
      }
    } else if (u.since < 0) {
      users.remove(username);
    } else if (u.offlineTimer == -1) {
      u.offlineTimer = vertx.setTimer(graceMs, t -> {
        User still = users.get(username);
        if (still == null || still.offlineTimer != t) {
          return;
        }
        still.offlineTimer = -1;
        if (!still.hasSockets()) {
          users.remove(username);
          online--;
          onlineCount.accept(online);
          listener.statusChanged(still.name, false, Timestamps.now());
        }
      });
    }
  }
}
