package io.chatpresence.common.socket;

import io.chatpresence.common.auth.Authenticator;
import io.chatpresence.common.metrics.SocketMetrics;
import io.chatpresence.common.protocol.ErrorCode;
import io.chatpresence.common.protocol.Frame;
import io.chatpresence.common.protocol.Frames;
import io.chatpresence.common.protocol.Limits;
import io.chatpresence.common.protocol.MessageType;
import io.chatpresence.common.protocol.ProtocolException;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
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

  private enum State { AWAITING_AUTH, AUTHENTICATING, OPEN }

  private final Vertx vertx;
  private final Limits limits;
  private final Authenticator authenticator;
  private final SessionRegistry registry;
  private final FrameHandler handler;
  private SocketMetrics metrics = SocketMetrics.NOOP;

  public SocketServer(Vertx vertx, Limits limits, Authenticator authenticator, SessionRegistry registry,
                      FrameHandler handler) {
    this.vertx = vertx;
    this.limits = limits;
    this.authenticator = authenticator;
    this.registry = registry;
    this.handler = handler;
  }

  /** Where this server's sockets and frames are counted (default: nowhere). */
  public SocketServer metrics(SocketMetrics metrics) {
    this.metrics = metrics;
    registry.metrics = metrics;
    return this;
  }

  public void accept(ServerWebSocket ws) {
    new Connection(ws).start();
  }

  private final class Connection {
    private final ServerWebSocket ws;
    private final SocketSession session;
    private final ArrayDeque<String> early = new ArrayDeque<>();
    private State state = State.AWAITING_AUTH;
    private long authTimer;

    Connection(ServerWebSocket ws) {
      this.ws = ws;
      this.session = new SocketSession(vertx, ws, limits.ratePerSecond(), limits.rateBurst());
      session.metrics = metrics;
    }

    void start() {
      metrics.socketOpened();
      ws.setWriteQueueMaxSize(limits.maxWriteQueueBytes());
      authTimer = vertx.setTimer(limits.authTimeoutMs(), t -> {
        if (state != State.OPEN) {
          refuse("no AUTH within " + limits.authTimeoutMs() + " ms", CloseCodes.AUTH_TIMEOUT);
        }
      });
      ws.textMessageHandler(this::onText);
      ws.binaryMessageHandler(b -> onText(null));
      ws.exceptionHandler(e -> LOG.debug("WebSocket error", e));
      ws.closeHandler(v -> onClose());
    }

    private void onText(String text) {
      if (ws.isClosed()) {
        return;
      }
      if (!session.bucket.tryTake()) {
        session.error(ErrorCode.RATE_LIMITED, "over " + limits.ratePerSecond() + " frames per second", null);
        return;
      }
      switch (state) {
        case AWAITING_AUTH -> onFirstFrame(text);
        case AUTHENTICATING -> {
          // a client may send right after AUTH without waiting: keep a few frames for after SUCCESS
          if (early.size() < limits.rateBurst()) {
            early.add(text);
          }
        }
        case OPEN -> onAuthenticatedFrame(text);
      }
    }

    private void onFirstFrame(String text) {
      Frame frame;
      try {
        if (text == null) {
          throw new ProtocolException(ErrorCode.BAD_JSON, "binary frame");
        }
        frame = Frame.parse(text, limits);
      } catch (ProtocolException e) {
        refuse("the first frame must be AUTH", CloseCodes.AUTH_FAILED);
        return;
      }
      metrics.frameReceived(frame.type());
      if (!MessageType.AUTH.equals(frame.type())) {
        refuse("the first frame must be AUTH", CloseCodes.AUTH_FAILED);
        return;
      }
      Object token = frame.json().getValue("token");
      state = State.AUTHENTICATING;
      authenticator.authenticate(token instanceof String s ? s : null).onComplete(ar -> {
        if (ws.isClosed()) {
          return;
        }
        if (ar.succeeded()) {
          opened(ar.result().username(), ar.result().jti());
        } else if (ar.cause() instanceof Authenticator.AuthFailure failure) {
          refuse(failure.getMessage(), CloseCodes.AUTH_FAILED);
        } else {
          LOG.warn("AUTH could not be checked: {}", ar.cause().toString());
          session.error(ErrorCode.UNAVAILABLE, "authentication is unavailable, try again", null);
          session.close(CloseCodes.TRY_AGAIN_LATER, "unavailable");
        }
      });
    }

    private void opened(String username, String jti) {
      vertx.cancelTimer(authTimer);
      session.authenticated(username, jti);
      if (!registry.tryAdd(session, limits.maxSocketsPerUser())) {
        session.error(ErrorCode.TOO_MANY_SOCKETS, "over " + limits.maxSocketsPerUser() + " sockets for this user", null);
        session.close(CloseCodes.TOO_MANY_SOCKETS, "too many sockets");
        return;
      }
      state = State.OPEN;
      metrics.socketAuthenticated();
      session.send(Frames.success("authenticated").put("username", username));
      handler.onAuthenticated(session);
      while (!early.isEmpty() && !ws.isClosed()) {
        onAuthenticatedFrame(early.poll());
      }
    }

    private void onAuthenticatedFrame(String text) {
      Frame frame = null;
      try {
        if (text == null) {
          throw new ProtocolException(ErrorCode.BAD_JSON, "binary frames are not supported, send JSON text");
        }
        frame = Frame.parse(text, limits);
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

    private void refuse(String msg, short closeCode) {
      session.error(ErrorCode.AUTH_FAILED, msg, null);
      session.close(closeCode, msg.length() > 100 ? "auth failed" : msg);
    }

    private void onClose() {
      vertx.cancelTimer(authTimer);
      metrics.socketClosed(ws.closeStatusCode(), state == State.OPEN);
      if (state == State.OPEN) {
        registry.remove(session);
        handler.onClosed(session);
      }
    }
  }
}
