package io.chatpresence.common.socket;

import io.chatpresence.common.metrics.SocketMetrics;
import io.chatpresence.common.protocol.ErrorCode;
import io.chatpresence.common.protocol.Frames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/** One WebSocket and, once AUTH succeeded, whose it is. Touched only on its event loop. */
public final class SocketSession {
  /** How long a dropped slow consumer gets to take its close frame before the connection is cut. */
  static final long DROP_GRACE_MS = 1_000;

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final String id = UUID.randomUUID().toString();
  final TokenBucket bucket;
  SocketMetrics metrics = SocketMetrics.NOOP;
  private String username;
  private String jti;
  private boolean dropping;

  SocketSession(Vertx vertx, ServerWebSocket ws, double ratePerSecond, int burst) {
    this.vertx = vertx;
    this.ws = ws;
    this.bucket = new TokenBucket(ratePerSecond, burst);
  }

  public String id() {
    return id;
  }

  public String username() {
    return username;
  }

  public String jti() {
    return jti;
  }

  void authenticated(String username, String jti) {
    this.username = username;
    this.jti = jti;
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
      metrics.frameSent(encoded);
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
    vertx.setTimer(DROP_GRACE_MS, t -> {
      if (ws instanceof WebSocketInternal internal && internal.channelHandlerContext().channel().isOpen()) {
        internal.channelHandlerContext().channel().close();
      }
    });
  }

  public void error(ErrorCode code, String msg, String clientMsgId) {
    metrics.error(code);
    send(Frames.error(code, msg, clientMsgId));
  }

  public Future<Void> close(short code, String reason) {
    if (ws.isClosed()) {
      return Future.succeededFuture();
    }
    return ws.close(code, reason);
  }
}
