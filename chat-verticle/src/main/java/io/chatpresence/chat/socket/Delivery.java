package io.chatpresence.chat.socket;

import io.chatpresence.protocol.Addresses;
import io.chatpresence.server.socket.SessionRegistry;
import io.chatpresence.server.socket.SocketSession;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames to users, on whichever node their sockets are.
 * <ul>
 * <li>One or two users ({@link #toUser}, 1:1 messages): through their per-user address
 * ({@code chat.user.<name>}); a node listens on a user's address while it holds one of the user's chat
 * sockets, so the publish reaches only those nodes. The body is the frame encoded once; a {@code skip} header
 * names a socket that must not get it (the sender's).</li>
 * <li>A group ({@link #toMembers}): one publish to {@link Addresses#CHAT_FANOUT}, which every chat verticle
 * instance consumes, carrying the frame once and the member names; each instance writes it to its own
 * sockets of those members. One event-bus message per node instead of one per member (8,000 for a group of
 * 8,000), and no per-user address lookups for members who are offline. Every group frame takes this path,
 * however small the group: a group that switched paths as it grew or shrank could deliver two consecutive
 * messages out of order in a cluster (Vert.x keeps publish order per address only; the first publish to an
 * address waits for a cluster lookup that a publish to another address does not). In a cluster of many nodes
 * a small group costs one small message per chat node where per-user publishes would reach only the nodes
 * of its members; with a handful of nodes that is cheaper than a message per member, and it keeps order.</li>
 * </ul>
 */
public final class Delivery {
  private static final String SKIP = "skip";

  private final Vertx vertx;
  private final SessionRegistry registry;
  private final Map<String, MessageConsumer<String>> consumers = new HashMap<>();

  public Delivery(Vertx vertx, SessionRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
  }

  /** Consumes the group fan-out address; complete before this instance accepts sockets. */
  public Future<Void> start() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.CHAT_FANOUT, this::fanoutLocally).completion();
  }

  /**
   * One frame to every chat socket of {@code members}, on every node, except the socket {@code skipSocketId}
   * (the sender's; the sender's other sockets get it).
   */
  public void toMembers(List<String> members, String encodedFrame, String skipSocketId) {
    JsonObject body = new JsonObject().put("frame", encodedFrame).put("members", new JsonArray(members));
    if (skipSocketId != null) {
      body.put("skip", skipSocketId);
    }
    vertx.eventBus().publish(Addresses.CHAT_FANOUT, body);
  }

  public void toUser(String username, String encodedFrame, String skipSocketId) {
    DeliveryOptions options = new DeliveryOptions();
    if (skipSocketId != null) {
      options.addHeader(SKIP, skipSocketId);
    }
    vertx.eventBus().publish(Addresses.chatUser(username), encodedFrame, options);
  }

  /** Call when a user's socket opened here. */
  public void listen(String username) {
    consumers.computeIfAbsent(username,
      u -> vertx.eventBus().<String>consumer(Addresses.chatUser(u), this::deliverLocally));
  }

  /** Call when a user's socket closed here; stops listening once none is left. */
  public void unlistenIfIdle(String username) {
    if (!registry.hasSessions(username)) {
      MessageConsumer<String> consumer = consumers.remove(username);
      if (consumer != null) {
        consumer.unregister();
      }
    }
  }

  private void fanoutLocally(Message<JsonObject> msg) {
    if (registry.userCount() == 0) {
      return;
    }
    JsonObject body = msg.body();
    String frame = body.getString("frame");
    long skip = SocketSession.localSerial(body.getString("skip"));
    JsonArray members = body.getJsonArray("members");
    int written = 0;
    for (int i = 0, n = members.size(); i < n; i++) {
      for (SocketSession session : registry.sessions(members.getString(i))) {
        if (!session.isSocket(skip) && session.sendUncounted(frame)) {
          written++;
        }
      }
    }
    // the frame's type is read once per fan-out, not once per socket
    registry.countSent(frame, written);
  }

  private void deliverLocally(Message<String> msg) {
    String username = msg.address().substring(Addresses.CHAT_USER_PREFIX.length());
    long skip = SocketSession.localSerial(msg.headers().get(SKIP));
    for (SocketSession session : registry.sessions(username)) {
      if (!session.isSocket(skip)) {
        session.send(msg.body());
      }
    }
  }
}
