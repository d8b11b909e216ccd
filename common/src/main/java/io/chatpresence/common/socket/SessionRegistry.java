package io.chatpresence.common.socket;

import io.chatpresence.common.Addresses;
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
 * The authenticated sockets of one verticle instance, by user. It tells presence when a user's socket
 * opens or closes, re-announces its counts when a presence verticle asks, and closes the sockets of a
 * revoked token. Touched only on the owning verticle's event loop.
 */
public final class SessionRegistry {
  private final Vertx vertx;
  private final String source = UUID.randomUUID().toString();
  private final Map<String, Set<SocketSession>> byUser = new HashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  public SessionRegistry(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<Void> registerConsumers() {
    MessageConsumer<JsonObject> revoked = vertx.eventBus().<JsonObject>consumer(Addresses.TOKEN_REVOKED,
      msg -> closeToken(msg.body().getString("username"), msg.body().getString("jti")));
    MessageConsumer<Object> resync = vertx.eventBus().consumer(Addresses.PRESENCE_RESYNC, msg -> announceCounts());
    consumers.add(revoked);
    consumers.add(resync);
    return Future.all(revoked.completion(), resync.completion()).mapEmpty();
  }

  /** Adds the session unless its user already has {@code max} here; tells presence. */
  boolean tryAdd(SocketSession session, int max) {
    Set<SocketSession> sessions = byUser.computeIfAbsent(session.username(), u -> new LinkedHashSet<>());
    if (sessions.size() >= max) {
      return false;
    }
    sessions.add(session);
    publishDelta(session.username(), 1);
    return true;
  }

  void remove(SocketSession session) {
    Set<SocketSession> sessions = byUser.get(session.username());
    if (sessions != null && sessions.remove(session)) {
      if (sessions.isEmpty()) {
        byUser.remove(session.username());
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

  public int userCount() {
    return byUser.size();
  }

  /** Graceful stop: every socket gets {@code code} (1001) so clients reconnect, elsewhere if clustered. */
  public Future<Void> closeAll(short code, String reason) {
    List<Future<Void>> closing = new ArrayList<>();
    for (Set<SocketSession> sessions : List.copyOf(byUser.values())) {
      for (SocketSession s : List.copyOf(sessions)) {
        closing.add(s.close(code, reason));
      }
    }
    consumers.forEach(MessageConsumer::unregister);
    return Future.join(closing).mapEmpty();
  }

  private void closeToken(String username, String jti) {
    for (SocketSession s : List.copyOf(sessions(username))) {
      if (s.jti().equals(jti)) {
        s.close(CloseCodes.AUTH_FAILED, "token revoked");
      }
    }
  }

  private void publishDelta(String username, int delta) {
    vertx.eventBus().publish(Addresses.PRESENCE_SOCKETS,
      new JsonObject().put("username", username).put("source", source).put("delta", delta));
  }

  private void announceCounts() {
    JsonObject counts = new JsonObject();
    byUser.forEach((user, sessions) -> counts.put(user, sessions.size()));
    vertx.eventBus().publish(Addresses.PRESENCE_SNAPSHOT, new JsonObject().put("source", source).put("counts", counts));
  }
}
