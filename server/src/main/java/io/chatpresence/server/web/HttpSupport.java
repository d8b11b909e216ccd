package io.chatpresence.server.web;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.metrics.Metrics;
import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.protocol.FrameLimits;
import io.chatpresence.server.socket.SocketServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

/** What both HTTP servers share: options, health, readiness and metrics, JSON errors. */
public final class HttpSupport {
  private HttpSupport() {
  }

  /**
   * Frames up to 1 MiB are read (so that 64 KiB..1 MiB can be answered TOO_LARGE); larger ones close with 1009.
   *
   * <p>Strict thread mode: every response is written from its verticle's event loop (as all of ours are), so
   * Vert.x 5.0.7 gives the HTTP connection a direct write path instead of a multi-producer queue; that queue
   * (Netty's MPSC queue, a 1,024-slot chunk, about 4.7 KB allocated up front) would otherwise stay alive for
   * the whole life of every WebSocket, because Vert.x keeps the upgraded HTTP connection reachable from the
   * WebSocket's pipeline handler.
   *
   * <p>No WebSocket compression: browsers offer permessage-deflate, and Vert.x would accept it, keeping a zlib
   * deflater (and an inflater once the client compresses) per socket for its whole life: about 100 KB of native
   * memory and 3 KB of heap a socket, measured with {@code bin/bench connections -Dbench.compression=true}.
   * Frames here are small JSON.
   */
  public static HttpServerOptions serverOptions(JsonObject config, String portKey) {
    return new HttpServerOptions()
      .setHost(config.getString(ConfigKeys.HTTP_HOST))
      .setPort(config.getInteger(portKey))
      .setMaxWebSocketFrameSize(FrameLimits.HARD_FRAME_BYTES)
      .setMaxWebSocketMessageSize(FrameLimits.HARD_FRAME_BYTES)
      .setIdleTimeout(0)
      .setStrictThreadMode(true)
      .setPerMessageWebSocketCompressionSupported(false)
      .setPerFrameWebSocketCompressionSupported(false)
      // no HTTP/2 upgrade of plain-text connections (h2c): no browser, proxy, probe or Prometheus uses it, and with
      // Vert.x 5.0.7 the JDK HttpClient's upgrade request for /metrics got an answer it could not parse
      .setHttp2ClearTextEnabled(false);
  }

  /** An HTTP server that takes WebSockets on {@code /} (other paths: 404) and routes everything else. */
  public static HttpServer webSocketServer(Vertx vertx, JsonObject config, String portKey, SocketServer sockets,
                                           Router router) {
    return httpServer(vertx, serverOptions(config, portKey))
      .webSocketHandshakeHandler(handshake -> {
        if ("/".equals(handshake.path())) {
          handshake.accept();
        } else {
          handshake.reject(404);
        }
      })
      .webSocketHandler(sockets::accept)
      .requestHandler(router);
  }

  /** An HTTP server of {@code options} whose connections' flushes are consolidated ({@link #consolidateFlushes}). */
  public static HttpServer httpServer(Vertx vertx, HttpServerOptions options) {
    return vertx.createHttpServer(options).connectionHandler(HttpSupport::consolidateFlushes);
  }

  /**
   * Frames written to a socket outside its own read (what a batch's commit answers, a message delivered from the
   * event bus) are flushed once at the end of the event-loop task that wrote them, not once per frame: Vert.x
   * flushes each such write at once, and every flush is a {@code send(2)} (on loopback the receiver's TCP work runs
   * inside it). At load a batch answers several frames to one socket, and the flushes were the largest single cost
   * of the chat event loop (docs/performance.md, "Flushes"). Writes during the socket's own read were already
   * flushed once per read by Vert.x, and still are ({@link FlushAtTaskEnd}).
   */
  private static void consolidateFlushes(HttpConnection conn) {
    if (conn instanceof ConnectionBase c) { // Vert.x's internal connection: the one way to its Netty pipeline
      c.channel().pipeline().addFirst("flush-at-task-end", new FlushAtTaskEnd());
    }
  }

  /**
   * What operations need on each port: {@code /health} (liveness), {@code /ready} (readiness), see {@link Health};
   * {@code /metrics} (Prometheus text), see {@link Metrics}.
   */
  public static void addHealthRoutes(Router router, Pool pool, Peer peer) {
    Health.addRoutes(router, pool, peer);
    router.get("/metrics").handler(ctx -> Metrics.of(ctx.vertx()).scrape(ctx));
  }

  public static void json(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
      .end(body instanceof JsonObject j ? j.encode() : io.vertx.core.json.Json.encode(body));
  }

  public static void error(RoutingContext ctx, int status, ErrorCode code, String message) {
    Metrics.of(ctx.vertx()).restError(code);
    json(ctx, status, new JsonObject().put("error", code.name()).put("message", message));
  }
}
