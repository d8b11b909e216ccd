package io.chatpresence.server.socket;

import io.chatpresence.protocol.CloseCodes;
import io.chatpresence.protocol.Addresses;
import io.chatpresence.server.cluster.ClusterSupport;
import io.chatpresence.server.metrics.SocketMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

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
  private final String source = UUID.randomUUID().toString();
  private final String node;
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
    this.node = ClusterSupport.nodeId(vertx);
  }

  public Future<Void> registerConsumers() {
    MessageConsumer<JsonObject> revoked = vertx.eventBus().<JsonObject>consumer(Addresses.TOKEN_REVOKED,
      msg -> closeToken(msg.body().getString("username"), msg.body().getString("jti")));
    MessageConsumer<JsonObject> resync = vertx.eventBus().<JsonObject>consumer(Addresses.PRESENCE_RESYNC, msg -> {
      String wanted = msg.body() == null ? null : msg.body().getString("source");
      if (wanted == null || wanted.equals(source)) {
        announceCounts();
      }
    });
    consumers.add(revoked);
    consumers.add(resync);
    heartbeatTimer = vertx.setPeriodic(heartbeatMs, t -> heartbeat());
    return Future.all(revoked.completion(), resync.completion()).mapEmpty();
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

  private void closeToken(String username, String jti) {
    for (SocketSession s : List.copyOf(sessions(username))) {
      if (s.hasJti(jti)) {
        s.close(CloseCodes.AUTH_FAILED, "token revoked");
      }
    }
  }

  private void publishDelta(String username, int delta) {
    published++;
    vertx.eventBus().publish(Addresses.PRESENCE_SOCKETS, identity()
      .put("username", username).put("delta", delta));
  }

  private void heartbeat() {
    vertx.eventBus().publish(Addresses.PRESENCE_HEARTBEAT, identity().put("published", published));
  }

  private void announceCounts() {
    JsonObject counts = new JsonObject();
    byUser.forEach((user, held) -> counts.put(user, held instanceof Set<?> set ? set.size() : 1));
    vertx.eventBus().publish(Addresses.PRESENCE_SNAPSHOT, identity().put("published", published).put("counts", counts));
  }

  private JsonObject identity() {
    return new JsonObject().put("source", source).put("node", node);
  }
}
