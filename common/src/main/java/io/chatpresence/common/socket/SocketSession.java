package io.chatpresence.common.socket;

import io.chatpresence.common.metrics.SocketMetrics;
import io.chatpresence.common.protocol.ErrorCode;
import io.chatpresence.common.protocol.Frames;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/** One WebSocket and, once AUTH succeeded, whose it is. Touched only on its event loop. */
public final class SocketSession {
  private final ServerWebSocket ws;
  private final String id = UUID.randomUUID().toString();
  final TokenBucket bucket;
  SocketMetrics metrics = SocketMetrics.NOOP;
  private String username;
  private String jti;

  SocketSession(ServerWebSocket ws, double ratePerSecond, int burst) {
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
   * Sends an encoded frame. A client that does not read fills the write queue; rather than buffer without
   * bound it is dropped (1008), and catches up through history when it reconnects.
   */
  public void send(String encoded) {
    if (ws.isClosed()) {
      return;
    }
    if (ws.writeQueueFull()) {
      close(CloseCodes.POLICY, "slow consumer");
      return;
    }
    ws.writeTextMessage(encoded);
    metrics.frameSent(encoded);
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
