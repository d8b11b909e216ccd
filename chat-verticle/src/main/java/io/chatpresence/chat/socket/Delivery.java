package io.chatpresence.chat.socket;

import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.protocol.bus.GroupFanout;
import io.chatpresence.server.socket.SessionRegistry;
import io.chatpresence.server.socket.SocketSession;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;

/**
 * Frames to users, on whichever node their sockets are: one {@link GroupFanout} published to
 * {@link Bus#CHAT_FANOUT}, which every chat verticle instance consumes, carrying the frame encoded once, the users
 * it is for (a 1:1 message's two, a group's members), the socket that must not get it (the sender's) and the
 * feature a socket must have opted into. Each instance writes it to its own sockets of those users.
 * <ul>
 * <li>No per-user addresses. Consuming one address per online user would cost a cluster-wide registration
 * (a Hazelcast MultiMap write and an update event on every member) each time a user's first socket opens on a
 * node and another when the last closes, one at a time per verticle instance: when a node dies and its users
 * reconnect to the others at once, those writes are what the reconnect waits on ({@code bin/bench storm},
 * docs/performance.md). A socket is reachable as soon as it is in its instance's registry, and a frame for a
 * user with no socket costs each instance one map lookup.</li>
 * <li>One publish per frame, to one address: Vert.x keeps publish order per address, so the frames a node
 * publishes (1:1, group, receipts, edits) reach every socket in the order they were published.</li>
 * <li>The price: every chat instance of every node receives every frame, where per-user addresses reached only
 * the nodes of its users. With a handful of nodes that is one small event-bus message per node per frame;
 * the messages a node handles grow with the cluster's total traffic, not with its own users'.</li>
 * </ul>
 */
public final class Delivery {
  private final Vertx vertx;
  private final SessionRegistry registry;

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
    toMembers(List.of(username), encodedFrame, skipSocketId, 0);
  }

  /** As above, to the sockets that opted into {@code feature} (a {@code Features} bit) only. */
  public void toUser(String username, String encodedFrame, String skipSocketId, int feature) {
    toMembers(List.of(username), encodedFrame, skipSocketId, feature);
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
}
