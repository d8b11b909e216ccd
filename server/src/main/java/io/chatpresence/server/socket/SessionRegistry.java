package io.chatpresence.server.socket;

import io.chatpresence.protocol.CloseCodes;
import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.protocol.bus.SocketDelta;
import io.chatpresence.protocol.bus.SourceHeartbeat;
import io.chatpresence.protocol.bus.SourceId;
import io.chatpresence.protocol.bus.SourceSnapshot;
import io.chatpresence.server.cluster.ClusterSupport;
import io.chatpresence.server.metrics.SocketMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The authenticated sockets of one verticle instance (a presence "source"), by user. It tells presence when
 * a user's socket opens or closes, heartbeats with how many such events it has published (so presence can
 * tell it missed some, e.g. across a partition, and ask again), re-announces its counts when asked, and
 * closes the sockets of a revoked token. Touched only on the owning verticle's event loop.
 */
public final class SessionRegistry {
  private final Vertx vertx;
  private final long heartbeatMs;
  private final SourceId source;
  /**
   * By user: the one {@link SocketSession} (by far the usual case, so no set per user), or a
   * {@code LinkedHashSet<SocketSession>} of two or more.
   */
  private final Map<String, Object> byUser = new HashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private long published;
  private long heartbeatTimer = -1;
  SocketMetrics metrics = SocketMetrics.NOOP;

  public SessionRegistry(Vertx vertx, long heartbeatMs) {
    this.vertx = vertx;
    this.heartbeatMs = heartbeatMs;
    this.source = new SourceId(UUID.randomUUID().toString(), ClusterSupport.nodeId(vertx));
  }

  public Future<Void> registerConsumers() {
    MessageConsumer<?> revoked = Bus.TOKEN_REVOKED.consumer(vertx.eventBus(), t -> closeToken(t.username(), t.jti()));
    MessageConsumer<?> allRevoked = Bus.SESSIONS_REVOKED.consumer(vertx.eventBus(),
      r -> closeUser(r.username(), r.reason()));
    MessageConsumer<?> resync = Bus.PRESENCE_RESYNC.consumer(vertx.eventBus(), request -> {
      if (request.concerns(source.source())) {
        announceCounts();
      }
    });
    consumers.add(revoked);
    consumers.add(allRevoked);
    consumers.add(resync);
    heartbeatTimer = vertx.setPeriodic(heartbeatMs, t -> heartbeat());
    return Future.all(revoked.completion(), allRevoked.completion(), resync.completion()).mapEmpty();
  }

  /** Adds the session unless its user already has {@code max} here; tells presence. */
  @SuppressWarnings("unchecked")
  boolean tryAdd(SocketSession session, int max) {
    String username = session.username();
    Object held = byUser.get(username);
    if (held == null) {
      if (max < 1) {
        return false;
      }
      byUser.put(username, session);
      metrics.userConnected(1);
    } else {
      Set<SocketSession> sessions;
      if (held instanceof SocketSession one) {
        sessions = new LinkedHashSet<>();
        sessions.add(one);
      } else {
        sessions = (Set<SocketSession>) held;
      }
      if (sessions.size() >= max) {
        return false;
      }
      // the user's sockets here share one name String (the first socket's)
      SocketSession first = sessions.iterator().next();
      session.username(first.username());
      sessions.add(session);
      byUser.put(first.username(), sessions);
    }
    publishDelta(session.username(), 1);
    return true;
  }

  @SuppressWarnings("unchecked")
  void remove(SocketSession session) {
    String username = session.username();
    Object held = byUser.get(username);
    if (held == session) {
      byUser.remove(username);
      metrics.userConnected(-1);
    } else if (held instanceof Set<?> set && set.remove(session)) {
      Set<SocketSession> sessions = (Set<SocketSession>) set;
      if (sessions.size() == 1) {
        byUser.put(username, sessions.iterator().next());
      }
    } else {
      return;
    }
    publishDelta(username, -1);
  }

  /** The user's sockets here (a read-only view; do not keep it). */
  @SuppressWarnings("unchecked")
  public Set<SocketSession> sessions(String username) {
    Object held = byUser.get(username);
    if (held == null) {
      return Set.of();
    }
    return held instanceof SocketSession one ? Set.of(one) : Collections.unmodifiableSet((Set<SocketSession>) held);
  }

  /** Every socket here; {@code action} must not open or close any (collect them, act after). */
  @SuppressWarnings("unchecked")
  void forEachSession(java.util.function.Consumer<SocketSession> action) {
    for (Object held : byUser.values()) {
      if (held instanceof SocketSession one) {
        action.accept(one);
      } else {
        ((Set<SocketSession>) held).forEach(action);
      }
    }
  }

  public boolean hasSessions(String username) {
    return byUser.containsKey(username);
  }

  /** Counts one frame written to {@code frames} of these sockets with {@link SocketSession#sendUncounted}. */
  public void countSent(String encoded, int frames) {
    metrics.framesSent(encoded, frames);
  }

  public int userCount() {
    return byUser.size();
  }

  /** Graceful stop: every socket gets {@code code} (1001) so clients reconnect, elsewhere if clustered. */
  public Future<Void> closeAll(short code, String reason) {
    vertx.cancelTimer(heartbeatTimer);
    List<Future<Void>> closing = new ArrayList<>();
    for (String user : List.copyOf(byUser.keySet())) {
      for (SocketSession s : List.copyOf(sessions(user))) {
        closing.add(s.close(code, reason));
      }
    }
    return Future.join(closing).eventually(() -> {
      consumers.forEach(MessageConsumer::unregister);
      return Future.succeededFuture();
    }).mapEmpty();
  }

  private void closeUser(String username, String reason) {
    for (SocketSession s : List.copyOf(sessions(username))) {
      s.error(ErrorCode.AUTH_FAILED, reason, null);
      s.close(CloseCodes.AUTH_FAILED, reason);
    }
  }

  private void closeToken(String username, String jti) {
    for (SocketSession s : List.copyOf(sessions(username))) {
      if (s.hasJti(jti)) {
        s.close(CloseCodes.AUTH_FAILED, "token revoked");
      }
    }
  }

  private void publishDelta(String username, int delta) {
    published++;
    Bus.PRESENCE_SOCKETS.publish(vertx.eventBus(), new SocketDelta(source, username, delta));
  }

  private void heartbeat() {
    Bus.PRESENCE_HEARTBEAT.publish(vertx.eventBus(), new SourceHeartbeat(source, published));
  }

  private void announceCounts() {
    Map<String, Integer> counts = new HashMap<>();
    byUser.forEach((user, held) -> counts.put(user, held instanceof Set<?> set ? set.size() : 1));
    Bus.PRESENCE_SNAPSHOT.publish(vertx.eventBus(), new SourceSnapshot(source, published, counts));
  }
}
