package io.chatpresence.server.socket;

import io.chatpresence.protocol.ClientMsgIdScan;
import io.chatpresence.protocol.CloseCodes;
import io.chatpresence.server.auth.Authenticator;
import io.chatpresence.server.metrics.SocketMetrics;
import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.protocol.Features;
import io.chatpresence.protocol.Frame;
import io.chatpresence.protocol.Frames;
import io.chatpresence.protocol.MessageType;
import io.chatpresence.protocol.ProtocolException;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;

/**
 * The part both WebSocket servers share: AUTH first (within the time-out), rate and size limits checked
 * before any work, DISCONNECT, and errors as ERROR frames. Everything else goes to a {@link FrameHandler}.
 */
public final class SocketServer {
  private static final Logger LOG = LoggerFactory.getLogger(SocketServer.class);

  /** What a server does with authenticated sockets and their frames. */
  public interface FrameHandler {
    /** The socket was authenticated and SUCCESS sent. */
    void onAuthenticated(SocketSession session);

    /** A valid frame of a type other than AUTH and DISCONNECT; throw {@link ProtocolException} to refuse. */
    void onFrame(SocketSession session, Frame frame);

    /** An authenticated socket closed. */
    void onClosed(SocketSession session);
  }

  final Vertx vertx;
  final Limits limits;
  /** The rate limit in tokens per nanosecond (each socket's bucket holds up to {@code rateBurst}). */
  final double ratePerNano;
  private final Authenticator authenticator;
  private final SessionRegistry registry;
  private final FrameHandler handler;
  SocketMetrics metrics = SocketMetrics.NOOP;
  /** The extensions ({@code Features} bits) this server offers; a socket gets those it asks for at AUTH. */
  private int offeredFeatures;

  public SocketServer(Vertx vertx, Limits limits, Authenticator authenticator, SessionRegistry registry,
                      FrameHandler handler) {
    this.vertx = vertx;
    this.limits = limits;
    this.ratePerNano = limits.ratePerSecond() / 1e9;
    this.authenticator = authenticator;
    this.registry = registry;
    this.handler = handler;
    PingSweep.start(vertx, this, registry, limits);
  }

  /** Where this server's sockets and frames are counted (default: nowhere). */
  public SocketServer metrics(SocketMetrics metrics) {
    this.metrics = metrics;
    registry.metrics = metrics;
    return this;
  }

  /** Offers these extensions ({@code Features} bits) to sockets that ask for them at AUTH (default: none). */
  public SocketServer features(int offered) {
    this.offeredFeatures = offered;
    return this;
  }

  /** A new socket: its whole state is the {@link SocketSession}; the handlers below take it as argument. */
  public void accept(ServerWebSocket ws) {
    SocketSession session = new SocketSession(this, ws);
    metrics.socketOpened();
    ws.setWriteQueueMaxSize(limits.maxWriteQueueBytes());
    session.authTimer = vertx.setTimer(limits.authTimeoutMs(), t -> {
      if (session.state != SocketSession.OPEN) {
        refuse(session, "no AUTH within " + limits.authTimeoutMs() + " ms", CloseCodes.AUTH_TIMEOUT);
      }
    });
    // handlers that capture only the session (it knows its server): 16 bytes each, kept as long as the socket
    ws.textMessageHandler(text -> session.server.onText(session, text));
    ws.binaryMessageHandler(b -> session.server.onText(session, null));
    ws.pongHandler(session);
    ws.exceptionHandler(SocketServer::onException);
    ws.closeHandler(v -> session.server.onClose(session));
  }

  private static void onException(Throwable e) {
    LOG.debug("WebSocket error", e);
  }

  private void onText(SocketSession session, String text) {
    if (session.ws.isClosed()) {
      return;
    }
    session.pingedAt = 0; // any frame shows the client is there, as a pong does
    if (!session.tryTake()) {
      // not parsed (the limiter stays in front of the work), but the answer names the frame it refuses
      session.error(ErrorCode.RATE_LIMITED, "over " + limits.ratePerSecond() + " frames per second",
        ClientMsgIdScan.of(text, limits.frame().maxFrameBytes()));
      return;
    }
    switch (session.state) {
      case SocketSession.AWAITING_AUTH -> onFirstFrame(session, text);
      case SocketSession.AUTHENTICATING -> {
        // a client may send right after AUTH without waiting: keep a few frames for after SUCCESS
        if (session.early == null) {
          session.early = new ArrayDeque<>(4);
        }
        if (session.early.size() < limits.rateBurst()) {
          session.early.add(text);
        }
      }
      default -> onAuthenticatedFrame(session, text);
    }
  }

  private void onFirstFrame(SocketSession session, String text) {
    Frame frame;
    try {
      if (text == null) {
        throw new ProtocolException(ErrorCode.BAD_JSON, "binary frame");
      }
      frame = Frame.parse(text, limits.frame());
    } catch (ProtocolException e) {
      refuse(session, "the first frame must be AUTH", CloseCodes.AUTH_FAILED);
      return;
    }
    metrics.frameReceived(frame.type());
    if (!MessageType.AUTH.equals(frame.type())) {
      refuse(session, "the first frame must be AUTH", CloseCodes.AUTH_FAILED);
      return;
    }
    Object token = frame.json().getValue("token");
    // only a client that names features gets the field back: one that does not sees the client document
    Object asked = frame.json().getValue("features");
    session.features(Features.requested(asked) & offeredFeatures);
    boolean answerFeatures = asked != null;
    session.state = SocketSession.AUTHENTICATING;
    authenticator.authenticate(token instanceof String s ? s : null).onComplete(ar -> {
      if (session.ws.isClosed()) {
        return;
      }
      if (ar.succeeded()) {
        opened(session, ar.result().username(), ar.result().jti(), answerFeatures);
      } else if (ar.cause() instanceof Authenticator.AuthFailure failure) {
        refuse(session, failure.getMessage(), CloseCodes.AUTH_FAILED);
      } else {
        LOG.warn("AUTH could not be checked: {}", ar.cause().toString());
        session.error(ErrorCode.UNAVAILABLE, "authentication is unavailable, try again", null);
        session.close(CloseCodes.TRY_AGAIN_LATER, "unavailable");
      }
    });
  }

  private void opened(SocketSession session, String username, String jti, boolean answerFeatures) {
    vertx.cancelTimer(session.authTimer);
    session.authTimer = -1;
    session.authenticated(username, jti);
    if (!registry.tryAdd(session, limits.maxSocketsPerUser())) {
      session.early = null;
      session.error(ErrorCode.TOO_MANY_SOCKETS, "over " + limits.maxSocketsPerUser() + " sockets for this user", null);
      session.close(CloseCodes.TOO_MANY_SOCKETS, "too many sockets");
      return;
    }
    open(session, username, answerFeatures);
  }

  private void open(SocketSession session, String username, boolean answerFeatures) {
    session.state = SocketSession.OPEN;
    metrics.socketAuthenticated();
    JsonObject success = Frames.success("authenticated").put("username", username);
    if (answerFeatures) {
      success.put("features", Features.names(session.featureMask()));
    }
    session.send(success);
    handler.onAuthenticated(session);
    ArrayDeque<String> early = session.early;
    session.early = null;
    while (early != null && !early.isEmpty() && !session.ws.isClosed()) {
      onAuthenticatedFrame(session, early.poll());
    }
  }

  private void onAuthenticatedFrame(SocketSession session, String text) {
    Frame frame = null;
    try {
      if (text == null) {
        throw new ProtocolException(ErrorCode.BAD_JSON, "binary frames are not supported, send JSON text");
      }
      frame = Frame.parse(text, limits.frame());
      metrics.frameReceived(frame.type());
      switch (frame.type()) {
        case MessageType.AUTH -> throw ProtocolException.invalid("already authenticated");
        case MessageType.DISCONNECT -> session.close(CloseCodes.NORMAL, "disconnect");
        default -> handler.onFrame(session, frame);
      }
    } catch (ProtocolException e) {
      session.error(e.code(), e.getMessage(), frame == null ? null : frame.clientMsgId());
    } catch (RuntimeException e) {
      LOG.error("Frame handling failed", e);
      session.error(ErrorCode.INTERNAL, "internal error", frame == null ? null : frame.clientMsgId());
    }
  }

  private void refuse(SocketSession session, String msg, short closeCode) {
    session.error(ErrorCode.AUTH_FAILED, msg, null);
    session.close(closeCode, msg.length() > 100 ? "auth failed" : msg);
  }

  private void onClose(SocketSession session) {
    if (session.authTimer != -1) {
      vertx.cancelTimer(session.authTimer);
    }
    boolean open = session.state == SocketSession.OPEN;
    metrics.socketClosed(session.ws.closeStatusCode(), open);
    session.early = null;
    if (open) {
      registry.remove(session);
      handler.onClosed(session);
    }
  }
}
