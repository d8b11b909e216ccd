package io.chatpresence.common.socket;

import io.chatpresence.common.Addresses;
import io.chatpresence.common.cluster.ClusterSupport;
import io.chatpresence.common.metrics.SocketMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
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
  private final Map<String, Set<SocketSession>> byUser = new HashMap<>();
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
  boolean tryAdd(SocketSession session, int max) {
    Set<SocketSession> sessions = byUser.computeIfAbsent(session.username(), u -> new LinkedHashSet<>());
    if (sessions.size() >= max) {
      return false;
    }
    sessions.add(session);
    if (sessions.size() == 1) {
      metrics.userConnected(1);
    }
    publishDelta(session.username(), 1);
    return true;
  }

  void remove(SocketSession session) {
    Set<SocketSession> sessions = byUser.get(session.username());
    if (sessions != null && sessions.remove(session)) {
      if (sessions.isEmpty()) {
        byUser.remove(session.username());
        metrics.userConnected(-1);
      }
      publishDelta(session.username(), -1);
    }
  }

  public Set<SocketSession> sessions(String username) {
    return byUser.getOrDefault(username, Set.of());
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
    for (Set<SocketSession> sessions : List.copyOf(byUser.values())) {
      for (SocketSession s : List.copyOf(sessions)) {
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
      if (s.jti().equals(jti)) {
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
    byUser.forEach((user, sessions) -> counts.put(user, sessions.size()));
    vertx.eventBus().publish(Addresses.PRESENCE_SNAPSHOT, identity().put("published", published).put("counts", counts));
  }

  private JsonObject identity() {
    return new JsonObject().put("source", source).put("node", node);
  }
}
