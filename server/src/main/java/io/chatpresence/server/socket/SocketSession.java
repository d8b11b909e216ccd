package io.chatpresence.server.socket;

import io.chatpresence.protocol.CloseCodes;
import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.protocol.Frames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One WebSocket and, once AUTH succeeded, whose it is. Touched only on its event loop.
 *
 * <p>It is also the socket's whole state in {@link SocketServer} (AUTH time-out, rate bucket, frames that
 * arrived while AUTH was being checked), kept in plain fields of this one object: a server holds tens of
 * thousands of these, so nothing per socket is allocated that can be shared or created later (the id is
 * derived from a counter when asked; the early-frame queue exists only while AUTH is in flight and a frame
 * came early; the rate settings live in the server). For the same reason it is its own WebSocket's pong
 * handler (a lambda would be 16 bytes more per socket).
 */
public final class SocketSession implements Handler<Buffer> {
  /** How long a dropped slow consumer gets to take its close frame before the connection is cut. */
  static final long DROP_GRACE_MS = 1_000;

  static final byte AWAITING_AUTH = 0;
  static final byte AUTHENTICATING = 1;
  static final byte OPEN = 2;

  /** Ids are unique across processes (they travel in event-bus headers): this process's part, then a counter. */
  private static final String PROCESS = UUID.randomUUID() + "/";
  private static final AtomicLong SERIALS = new AtomicLong();

  final SocketServer server;
  final ServerWebSocket ws;
  private final long serial = SERIALS.incrementAndGet();
  private String username;
  /** The token's id: a canonical UUID (what {@code Tokens} issues) is kept as two longs, anything else as is. */
  private long jtiHigh;
  private long jtiLow;
  private String jtiOther;
  byte state = AWAITING_AUTH;
  private boolean dropping;
  /** The extensions this socket opted into at AUTH ({@code Features} bits): one byte, no object per socket. */
  private byte features;
  long authTimer = -1;
  /**
   * When the unanswered ping was sent ({@link PingSweep#now()}, milliseconds that wrap), 0 when none is: any
   * pong or frame from the client clears it. An int fits in the padding: the object stays 88 bytes.
   */
  int pingedAt;
  /** The rate bucket (frames per second with a burst; rate and burst are the server's). */
  private double tokens;
  private long lastTake;
  /** Frames that arrived while AUTH was being checked; created only if one did. */
  ArrayDeque<String> early;

  SocketSession(SocketServer server, ServerWebSocket ws) {
    this.server = server;
    this.ws = ws;
    this.tokens = server.limits.rateBurst();
    this.lastTake = System.nanoTime();
  }

  /** Unique among all sockets of all processes; a new (equal) String on every call, nothing kept per socket. */
  public String id() {
    return PROCESS + Long.toString(serial, 36);
  }

  /**
   * What {@link #isSocket} compares: the serial in {@code id} when it names a socket of this process, else -1.
   * Parsed once per delivery, so that checking each local socket builds no String.
   */
  public static long localSerial(String id) {
    if (id == null || !id.startsWith(PROCESS) || id.length() == PROCESS.length()) {
      return -1;
    }
    try {
      return Long.parseLong(id, PROCESS.length(), id.length(), 36);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The sweep's slice this socket is pinged in: sockets spread evenly over the ping interval. */
  int slice(int slices) {
    return (int) Long.remainderUnsigned(serial, slices);
  }

  /** Whether it is being dropped as a slow consumer: its close is under way, the ping sweep leaves it alone. */
  boolean dropping() {
    return dropping;
  }

  /** A pong (answering our ping, or unsolicited): the client is there. */
  @Override
  public void handle(Buffer pong) {
    pingedAt = 0;
  }

  /** Whether this is the socket whose {@link #localSerial} is given. */
  public boolean isSocket(long localSerial) {
    return serial == localSerial;
  }

  /** Whether this socket opted into the extension {@code feature} (a {@code Features} bit) at AUTH. */
  public boolean has(int feature) {
    return (features & feature) != 0;
  }

  void features(int mask) {
    this.features = (byte) mask;
  }

  int featureMask() {
    return features;
  }

  public String username() {
    return username;
  }

  public String jti() {
    return jtiOther != null ? jtiOther : new UUID(jtiHigh, jtiLow).toString();
  }

  /** Whether this socket was authenticated with the token {@code jti}. */
  boolean hasJti(String jti) {
    if (jti == null) {
      return false;
    }
    if (jtiOther != null) {
      return jtiOther.equals(jti);
    }
    UUID parsed = canonicalUuid(jti);
    return parsed != null && parsed.getMostSignificantBits() == jtiHigh && parsed.getLeastSignificantBits() == jtiLow;
  }

  void authenticated(String username, String jti) {
    this.username = username;
    UUID parsed = canonicalUuid(jti);
    if (parsed != null) {
      jtiHigh = parsed.getMostSignificantBits();
      jtiLow = parsed.getLeastSignificantBits();
    } else {
      jtiOther = jti;
    }
  }

  /** The user name as the registry keeps it, so that this user's sockets share one String. */
  void username(String shared) {
    this.username = shared;
  }

  private static UUID canonicalUuid(String s) {
    if (s == null || s.length() != 36) {
      return null;
    }
    try {
      UUID u = UUID.fromString(s);
      return u.toString().equals(s) ? u : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** One frame's worth of the rate limit: false when over it. */
  boolean tryTake() {
    long now = System.nanoTime();
    tokens = Math.min(server.limits.rateBurst(), tokens + (now - lastTake) * server.ratePerNano);
    lastTake = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  public boolean isOpen() {
    return !ws.isClosed();
  }

  public void send(JsonObject frame) {
    send(frame.encode());
  }

  /**
   * Sends an encoded frame. A client that does not read fills the write queue (beyond what the kernel's
   * socket buffers hold); rather than buffer without bound it is dropped (1008) and catches up through
   * history when it reconnects. The limit (256 KiB by default) bounds what 1,000
   * stalled sockets cost to about a quarter of a GiB at worst.
   */
  public void send(String encoded) {
    if (sendUncounted(encoded)) {
      server.metrics.frameSent(encoded);
    }
  }

  /**
   * {@link #send(String)} without counting it in the metrics: for one frame written to many sockets, counted
   * once with {@link SessionRegistry#countSent}. Whether it was written.
   */
  public boolean sendUncounted(String encoded) {
    if (dropping || ws.isClosed()) {
      return false;
    }
    if (ws.writeQueueFull()) {
      drop();
      return false;
    }
    ws.writeTextMessage(encoded);
    return true;
  }

  /**
   * The close frame waits behind everything queued, which a stalled client never reads, and Vert.x starts
   * its closing timeout only once the frame is written: so after a short grace the connection is cut, which
   * frees the queue.
   */
  private void drop() {
    dropping = true;
    ws.close(CloseCodes.POLICY, "slow consumer");
    server.vertx.setTimer(DROP_GRACE_MS, t -> {
      if (ws instanceof WebSocketInternal internal && internal.channelHandlerContext().channel().isOpen()) {
        internal.channelHandlerContext().channel().close();
      }
    });
  }

  /**
   * Closes the TCP connection at once, without the closing handshake: for a peer that is not there to answer it.
   * A plain {@code channel().close()} would not do: Vert.x routes it through its WebSocket close, which writes a
   * close frame and waits up to the closing timeout (10 s) for the answer. Closing from the pipeline's first
   * handler goes straight to the socket; the close handler then runs as for any lost connection (1006).
   */
  void cut() {
    if (ws instanceof WebSocketInternal internal) {
      Channel channel = internal.channelHandlerContext().channel();
      ChannelHandlerContext first = channel.pipeline().firstContext();
      if (channel.isOpen()) {
        if (first != null) {
          first.close();
        } else {
          channel.close();
        }
      }
    } else if (!ws.isClosed()) {
      ws.close(CloseCodes.GOING_AWAY, "no answer");
    }
  }

  public void error(ErrorCode code, String msg, String clientMsgId) {
    server.metrics.error(code);
    send(Frames.error(code, msg, clientMsgId));
  }

  public Future<Void> close(short code, String reason) {
    if (ws.isClosed()) {
      return Future.succeededFuture();
    }
    return ws.close(code, reason);
  }
}
