package io.chatpresence.chat.socket;

import io.chatpresence.common.Addresses;
import io.chatpresence.common.socket.SessionRegistry;
import io.chatpresence.common.socket.SocketSession;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.HashMap;
import java.util.Map;

/**
 * Frames to users through their per-user address ({@code chat.user.<name>}), on whichever node their
 * sockets are: a node listens on a user's address while it holds one of the user's chat sockets. The body
 * is the frame encoded once; a {@code skip} header names a socket that must not get it (the sender's).
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

  private void deliverLocally(Message<String> msg) {
    String username = msg.address().substring(Addresses.CHAT_USER_PREFIX.length());
    String skip = msg.headers().get(SKIP);
    for (SocketSession session : registry.sessions(username)) {
      if (!session.id().equals(skip)) {
        session.send(msg.body());
      }
    }
  }
}
