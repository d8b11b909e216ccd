package io.chatpresence.chat.socket;

import io.chatpresence.chat.ChatFrames;
import io.chatpresence.protocol.Features;
import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.protocol.bus.TypingNotice;
import io.chatpresence.server.cluster.ClusterSupport;
import io.chatpresence.server.socket.SessionRegistry;
import io.chatpresence.server.socket.SocketSession;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Typing indicators of one chat verticle instance. Nothing is stored in the database; the state lives in two
 * small tables in memory, each entry existing only while someone types:
 * <ul>
 * <li><b>Typists</b> (users whose socket is here): per user and conversation, when the last {@code typing:true}
 * came and when one was last forwarded. A repeat within {@link #REPEAT_MS} is absorbed; the typist's instance
 * forwards {@code typing:false} itself {@link #TIMEOUT_MS} after the last true, when the typist sends a message
 * there, and when the user's last socket here closes. Forwarding is one {@link TypingNotice} published on
 * {@code chat.typing}, which every chat instance (every node) consumes.</li>
 * <li><b>Shown</b> (indicators this instance has written to its sockets): per typist and conversation, the
 * typist's node and a deadline. If the typist's node dies its false never comes: this instance ends the
 * indicator itself when the cluster drops that node ({@link #nodeRemoved}, within Hazelcast's 5 s failure
 * detection) or, as a backstop, {@link #ORPHAN_MS} after the last true it forwarded (a forwarded true is at most
 * {@link #REPEAT_MS} older than the typist's last, so the typist's own false always comes first).</li>
 * </ul>
 * One periodic sweep (every {@link #SWEEP_MS}) times both out, so no timer exists per entry. Touched only on the
 * verticle's event loop.
 */
final class TypingRelay {
  static final long REPEAT_MS = 2_000;
  static final long TIMEOUT_MS = 6_000;
  static final long ORPHAN_MS = TIMEOUT_MS + REPEAT_MS;
  static final long SWEEP_MS = 200;

  /** One conversation a user types in here; several of one user are chained (usually there is one). */
  private static final class Typist {
    final String idField;
    final String conversationId;
    List<String> recipients;
    long lastTrue;
    long lastForward;
    Typist next;

    Typist(String idField, String conversationId) {
      this.idField = idField;
      this.conversationId = conversationId;
    }

    boolean is(String idField, String conversationId) {
      return this.conversationId.equals(conversationId) && this.idField.equals(idField);
    }
  }

  /** An indicator written to sockets here; chained per typist like {@link Typist}. */
  private static final class Shown {
    final String idField;
    final String conversationId;
    String node;
    List<String> recipients;
    long deadline;
    Shown next;

    Shown(String idField, String conversationId) {
      this.idField = idField;
      this.conversationId = conversationId;
    }
  }

  private final Vertx vertx;
  private final SessionRegistry registry;
  private final String node;
  private final Map<String, Typist> typists = new HashMap<>();
  private final Map<String, Shown> shown = new HashMap<>();
  private MessageConsumer<TypingNotice> consumer;
  private long sweepTimer = -1;
  private Runnable stopMembership = () -> { };

  TypingRelay(Vertx vertx, SessionRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
    this.node = ClusterSupport.nodeId(vertx);
  }

  Future<Void> start() {
    consumer = Bus.CHAT_TYPING.consumer(vertx.eventBus(), this::onNotice);
    stopMembership = ClusterSupport.onMembershipChange(vertx, added -> { }, this::nodeRemoved);
    sweepTimer = vertx.setPeriodic(SWEEP_MS, t -> sweep());
    return consumer.completion();
  }

  void stop() {
    vertx.cancelTimer(sweepTimer);
    stopMembership.run();
  }

  // ---- typist side ----------------------------------------------------------------------------------

  /** A repeated true within {@link #REPEAT_MS} of the last forwarded one: absorbed (true), nothing to check. */
  boolean absorb(String user, String idField, String conversationId) {
    Typist t = find(user, idField, conversationId);
    long now = now();
    if (t != null && now - t.lastForward < REPEAT_MS) {
      t.lastTrue = now;
      return true;
    }
    return false;
  }

  /** A checked {@code typing:true} that was not absorbed: forwarded to {@code recipients}. */
  void started(String user, String idField, String conversationId, List<String> recipients) {
    Typist t = find(user, idField, conversationId);
    if (t == null) {
      t = new Typist(idField, conversationId);
      t.next = typists.get(user);
      typists.put(user, t);
    }
    long now = now();
    t.lastTrue = now;
    t.lastForward = now;
    t.recipients = recipients;
    publish(user, t, true);
  }

  /** {@code typing:false}, or the typist's message was sent there: forwarded if an indicator is on. */
  void stopped(String user, String idField, String conversationId) {
    Typist t = remove(user, idField, conversationId);
    if (t != null) {
      publish(user, t, false);
    }
  }

  /** The user's last socket on this instance closed: every indicator of theirs ends. */
  void userGone(String user) {
    for (Typist t = typists.remove(user); t != null; t = t.next) {
      publish(user, t, false);
    }
  }

  private Typist find(String user, String idField, String conversationId) {
    for (Typist t = typists.get(user); t != null; t = t.next) {
      if (t.is(idField, conversationId)) {
        return t;
      }
    }
    return null;
  }

  private Typist remove(String user, String idField, String conversationId) {
    Typist first = typists.get(user);
    Typist prev = null;
    for (Typist t = first; t != null; prev = t, t = t.next) {
      if (t.is(idField, conversationId)) {
        if (prev != null) {
          prev.next = t.next;
        } else if (t.next != null) {
          typists.put(user, t.next);
        } else {
          typists.remove(user);
        }
        return t;
      }
    }
    return null;
  }

  private void publish(String user, Typist t, boolean typing) {
    Bus.CHAT_TYPING.publish(vertx.eventBus(),
      new TypingNotice(user, t.idField, t.conversationId, typing, t.recipients, node));
  }

  // ---- receiver side --------------------------------------------------------------------------------

  private void onNotice(TypingNotice n) {
    int written = write(n.typist(), n.idField(), n.conversationId(), n.typing(), n.recipients());
    if (n.typing()) {
      Shown s = findShown(n.typist(), n.idField(), n.conversationId());
      if (s == null && written == 0) {
        return;
      }
      if (s == null) {
        s = new Shown(n.idField(), n.conversationId());
        s.next = shown.get(n.typist());
        shown.put(n.typist(), s);
      }
      s.node = n.node();
      s.recipients = n.recipients();
      s.deadline = now() + ORPHAN_MS;
    } else {
      removeShown(n.typist(), n.idField(), n.conversationId());
    }
  }

  /** The typist's TYPING frame to this instance's sockets of the recipients that opted into typing. */
  private int write(String typist, String idField, String conversationId, boolean typing, List<String> recipients) {
    if (registry.userCount() == 0) {
      return 0;
    }
    String frame = null;
    int written = 0;
    for (int i = 0, n = recipients.size(); i < n; i++) {
      for (SocketSession session : registry.sessions(recipients.get(i))) {
        if (session.has(Features.TYPING)) {
          if (frame == null) {
            frame = ChatFrames.typing(idField, conversationId, typist, typing).encode();
          }
          if (session.sendUncounted(frame)) {
            written++;
          }
        }
      }
    }
    if (frame != null) {
      registry.countSent(frame, written);
    }
    return written;
  }

  private Shown findShown(String typist, String idField, String conversationId) {
    for (Shown s = shown.get(typist); s != null; s = s.next) {
      if (s.conversationId.equals(conversationId) && s.idField.equals(idField)) {
        return s;
      }
    }
    return null;
  }

  private void removeShown(String typist, String idField, String conversationId) {
    Shown prev = null;
    for (Shown s = shown.get(typist); s != null; prev = s, s = s.next) {
      if (s.conversationId.equals(conversationId) && s.idField.equals(idField)) {
        unlink(typist, prev, s);
        return;
      }
    }
  }

  private void unlink(String typist, Shown prev, Shown s) {
    if (prev != null) {
      prev.next = s.next;
    } else if (s.next != null) {
      shown.put(typist, s.next);
    } else {
      shown.remove(typist);
    }
  }

  /** A cluster member left or was dropped: the indicators of typists there end now. */
  void nodeRemoved(String removed) {
    endShown(s -> removed.equals(s.node));
  }

  // ---- time -----------------------------------------------------------------------------------------

  private void sweep() {
    if (!typists.isEmpty()) {
      long now = now();
      List<String> users = new ArrayList<>();
      for (Map.Entry<String, Typist> e : typists.entrySet()) {
        for (Typist t = e.getValue(); t != null; t = t.next) {
          if (now - t.lastTrue >= TIMEOUT_MS) {
            users.add(e.getKey());
            break;
          }
        }
      }
      for (String user : users) {
        for (Typist t = typists.get(user); t != null; t = t.next) {
          if (now - t.lastTrue >= TIMEOUT_MS) {
            stopped(user, t.idField, t.conversationId);
          }
        }
      }
    }
    if (!shown.isEmpty()) {
      long now = now();
      endShown(s -> now - s.deadline >= 0);
    }
  }

  private void endShown(java.util.function.Predicate<Shown> ended) {
    for (Iterator<Map.Entry<String, Shown>> it = shown.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Shown> e = it.next();
      Shown kept = null;
      Shown last = null;
      for (Shown s = e.getValue(); s != null; s = s.next) {
        if (ended.test(s)) {
          write(e.getKey(), s.idField, s.conversationId, false, s.recipients);
        } else if (kept == null) {
          kept = s;
          last = s;
        } else {
          last.next = s;
          last = s;
        }
      }
      if (last != null) {
        last.next = null;
      }
      if (kept == null) {
        it.remove();
      } else {
        e.setValue(kept);
      }
    }
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }

  /** Entries held now (tests and the memory figure). */
  int typistCount() {
    return typists.size();
  }

  int shownCount() {
    return shown.size();
  }
}
