package io.chatpresence.server.socket;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds the clients that vanished without closing (a phone out of coverage, a cut cable: no FIN ever comes, and
 * without traffic TCP never notices). Each authenticated socket gets a WebSocket ping once per
 * {@code PING_INTERVAL_MS}; one that has sent nothing (no pong, no frame) {@code PONG_TIMEOUT_MS} after its
 * ping is cut, counted as unresponsive, and its user's contacts see it go like any lost connection.
 *
 * <p>One periodic timer per verticle instance, not one per socket (a timer costs more than the socket's whole
 * state). The interval is cut into slices of one tick each and every socket belongs to one slice (its serial),
 * so the pings of 100,000 sockets are spread over the interval; the first tick of each instance is at a random
 * offset, so instances do not tick together. Each tick looks at every socket once, for the ping of its slice or
 * its overdue pong: a field read per socket, and no state but the {@code int} in {@link SocketSession}.
 */
final class PingSweep {
  private static final Logger LOG = LoggerFactory.getLogger(PingSweep.class);

  private final SocketServer server;
  private final SessionRegistry registry;
  private final long timeoutMs;
  private final int slices;
  private final long tickMs;
  private long ticks;
  private final List<SocketSession> toPing = new ArrayList<>();
  private final List<SocketSession> toCut = new ArrayList<>();

  private PingSweep(SocketServer server, SessionRegistry registry, long intervalMs, long timeoutMs) {
    this.server = server;
    this.registry = registry;
    this.timeoutMs = timeoutMs;
    // a tenth of the shorter of the two, within 50 ms .. 1 s: the timeout is noticed within a tick of its end
    this.tickMs = Math.max(50, Math.min(1_000, Math.min(intervalMs, timeoutMs) / 10));
    this.slices = (int) Math.max(1, intervalMs / tickMs);
  }

  /** Starts the sweep on the caller's context (the verticle's: its timers end with it); none if pings are off. */
  static void start(Vertx vertx, SocketServer server, SessionRegistry registry, Limits limits) {
    if (limits.pingIntervalMs() <= 0) {
      return;
    }
    PingSweep sweep = new PingSweep(server, registry, limits.pingIntervalMs(), Math.max(1, limits.pongTimeoutMs()));
    long firstTick = 1 + ThreadLocalRandom.current().nextLong(sweep.tickMs);
    vertx.setPeriodic(firstTick, sweep.tickMs, t -> sweep.tick());
  }

  /** Milliseconds for {@link SocketSession#pingedAt}: wraps every 49 days, compared only by difference. */
  static int now() {
    int now = (int) (System.nanoTime() / 1_000_000L);
    return now == 0 ? 1 : now;
  }

  private void tick() {
    int slice = (int) (ticks++ % slices);
    int now = now();
    // collected first, acted on after: a write or a cut may close a socket, which changes the registry
    registry.forEachSession(s -> {
      if (s.dropping()) {
        // a slow consumer being dropped (1008): it does not read, so it answers no ping either; its own
        // close path ends it, and the 1008 is what it should see and be counted as
        return;
      }
      int pingedAt = s.pingedAt;
      if (pingedAt != 0) {
        if (now - pingedAt >= timeoutMs) {
          toCut.add(s);
        }
      } else if (s.slice(slices) == slice) {
        toPing.add(s);
      }
    });
    for (SocketSession s : toPing) {
      if (!s.ws.isClosed()) {
        s.pingedAt = now;
        s.ws.writePing(Buffer.buffer());
      }
    }
    for (SocketSession s : toCut) {
      LOG.debug("Socket of {} answered no ping within {} ms: cut", s.username(), timeoutMs);
      server.metrics.socketUnresponsive();
      s.cut();
    }
    toPing.clear();
    toCut.clear();
  }
}
