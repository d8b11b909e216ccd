package io.chatpresence.chat.socket;

import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.protocol.bus.GroupFanout;
import io.chatpresence.protocol.bus.UserFrame;
import io.chatpresence.server.socket.SessionRegistry;
import io.chatpresence.server.socket.SocketSession;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames to users, on whichever node their sockets are.
 * <ul>
 * <li>One or two users ({@link #toUser}, 1:1 messages): through their per-user address
 * ({@code chat.user.<name>}); a node listens on a user's address while it holds one of the user's chat
 * sockets, so the publish reaches only those nodes. The {@link UserFrame} carries the frame encoded once and the
 * socket that must not get it (the sender's).</li>
 * <li>A group ({@link #toMembers}): one {@link GroupFanout} published to {@link Bus#CHAT_FANOUT}, which every chat verticle
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
  private final Vertx vertx;
  private final SessionRegistry registry;
  private final Map<String, MessageConsumer<UserFrame>> consumers = new HashMap<>();

  public Delivery(Vertx vertx, SessionRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
  }

  SessionRegistry registry() {
    return registry;
  }

  /** Consumes the group fan-out address; complete before this instance accepts sockets. */
  public Future<Void> start() {
    return Bus.CHAT_FANOUT.consumer(vertx.eventBus(), this::fanoutLocally).completion();
  }

  /**
   * One frame to every chat socket of {@code members}, on every node, except the socket {@code skipSocketId}
   * (the sender's; the sender's other sockets get it).
   */
  public void toMembers(List<String> members, String encodedFrame, String skipSocketId) {
    toMembers(members, encodedFrame, skipSocketId, 0);
  }

  /** As above, to the sockets that opted into {@code feature} (a {@code Features} bit) only. */
  public void toMembers(List<String> members, String encodedFrame, String skipSocketId, int feature) {
    Bus.CHAT_FANOUT.publish(vertx.eventBus(), new GroupFanout(encodedFrame, members, skipSocketId, feature));
  }

  public void toUser(String username, String encodedFrame, String skipSocketId) {
    toUser(username, encodedFrame, skipSocketId, 0);
  }

  /** As above, to the sockets that opted into {@code feature} (a {@code Features} bit) only. */
  public void toUser(String username, String encodedFrame, String skipSocketId, int feature) {
    Bus.chatUser(username).publish(vertx.eventBus(), new UserFrame(encodedFrame, skipSocketId, feature));
  }

  /**
   * Call when a user's socket opened here; completes once the address is registered (in a cluster, once every
   * node's publishes would reach it).
   */
  public Future<Void> listen(String username) {
    return consumers.computeIfAbsent(username,
      u -> Bus.chatUser(u).consumer(vertx.eventBus(), frame -> deliverLocally(u, frame))).completion();
  }

  /** Call when a user's socket closed here; stops listening once none is left. */
  public void unlistenIfIdle(String username) {
    if (!registry.hasSessions(username)) {
      MessageConsumer<UserFrame> consumer = consumers.remove(username);
      if (consumer != null) {
        consumer.unregister();
      }
    }
  }

  private void fanoutLocally(GroupFanout fanout) {
    if (registry.userCount() == 0) {
      return;
    }
    String frame = fanout.frame();
    long skip = SocketSession.localSerial(fanout.skipSocket());
    List<String> members = fanout.members();
    int feature = fanout.feature();
    int written = 0;
    for (int i = 0, n = members.size(); i < n; i++) {
      for (SocketSession session : registry.sessions(members.get(i))) {
        if (!session.isSocket(skip) && (feature == 0 || session.has(feature)) && session.sendUncounted(frame)) {
          written++;
        }
      }
    }
    // the frame's type is read once per fan-out, not once per socket
    registry.countSent(frame, written);
  }

  private void deliverLocally(String username, UserFrame userFrame) {
    long skip = SocketSession.localSerial(userFrame.skipSocket());
    int feature = userFrame.feature();
    for (SocketSession session : registry.sessions(username)) {
      if (!session.isSocket(skip) && (feature == 0 || session.has(feature))) {
        session.send(userFrame.frame());
      }
    }
  }
}
