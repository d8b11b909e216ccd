package io.chatpresence.server.web;

import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.protocol.bus.Ping;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The other verticle, as seen over the event bus: chat needs presence (statuses, presence sockets closed at
 * logout) and presence needs chat (the sockets chat reports). Two processes started without {@code -cluster}
 * each have an event bus of their own and would half-work in silence; this says so at start (a warning after a
 * few seconds without an answer) and in {@code /ready}'s data ({@code "peer"}: reachable or not). Readiness
 * stays UP either way: a rolling restart of one side must not take the other out of the load balancer.
 */
public final class Peer {
  private static final Logger LOG = LoggerFactory.getLogger(Peer.class);
  private static final long ASK_TIMEOUT_MS = 1_000;
  private static final long RETRY_MS = 500;
  private static final int START_ATTEMPTS = 10;

  private final String name;
  private final Bus.Request<Ping, Ping> address;

  /** {@code name} ("presence", "chat") answers on {@code address}. */
  public Peer(String name, Bus.Request<Ping, Ping> address) {
    this.name = name;
    this.address = address;
  }

  public String name() {
    return name;
  }

  /** Answers the other side's pings on our own address. */
  public static MessageConsumer<Ping> answer(Vertx vertx, Bus.Request<Ping, Ping> ours, String who) {
    return ours.replier(vertx.eventBus(), ping -> new Ping(who));
  }

  /** Whether the peer answers now. */
  public Future<Boolean> reachable(Vertx vertx) {
    return address.request(vertx.eventBus(), new Ping("check"), ASK_TIMEOUT_MS).map(true).otherwise(false);
  }

  /** At start: asks a few times (in {@code run all} the other verticle is deployed just after us), then warns. */
  public void checkAtStart(Vertx vertx, String us) {
    ask(vertx, us, 1);
  }

  private void ask(Vertx vertx, String us, int attempt) {
    reachable(vertx).onSuccess(yes -> {
      if (yes) {
        LOG.debug("{} reaches {} on the event bus", us, name);
      } else if (attempt < START_ATTEMPTS) {
        vertx.setTimer(RETRY_MS, t -> ask(vertx, us, attempt + 1));
      } else {
        LOG.warn("{} cannot reach {} on the event bus: run both in one process (bin/vertx run all) or start every"
          + " process with -cluster; until then {}", us, name, consequence(us));
      }
    });
  }

  private static String consequence(String us) {
    return "chat".equals(us)
      ? "users' statuses are unknown and logout does not close presence sockets"
      : "chat sockets do not count for presence and logout does not close presence sockets";
  }
}
