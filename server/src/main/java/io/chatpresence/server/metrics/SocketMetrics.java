package io.chatpresence.server.metrics;

import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.protocol.MessageType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static io.chatpresence.server.metrics.Metrics.PREFIX;

/**
 * The meters of one WebSocket server ({@code server} label: chat or presence), shared by its verticle
 * instances (so thread-safe). Labels take bounded values: the protocol's types, the error codes, the close codes
 * the servers use; anything else a client sends is counted as {@code other}.
 */
public class SocketMetrics {
  /** For a server nobody measures. */
  public static final SocketMetrics NOOP = new SocketMetrics();

  static final String OTHER = "other";
  private static final List<String> RECEIVED_TYPES = List.of(MessageType.AUTH, MessageType.ONE_TO_ONE_CHAT,
    MessageType.GROUP_CHAT, MessageType.GET_ONE_TO_ONE_HISTORY, MessageType.GET_GROUP_CHAT_HISTORY,
    MessageType.JOIN_GROUP, MessageType.LEAVE_GROUP, MessageType.DISCONNECT, OTHER);
  private static final List<String> SENT_TYPES = List.of(MessageType.SUCCESS, MessageType.ERROR, MessageType.INFO,
    MessageType.PRESENCE_UPDATE, MessageType.ONE_TO_ONE_CHAT, MessageType.GROUP_CHAT,
    MessageType.ONE_TO_ONE_CHAT_HISTORY, MessageType.GROUP_CHAT_HISTORY, OTHER);
  /** 1006: closed without a close frame (connection lost). The others are the servers' own (CloseCodes). */
  private static final List<Integer> CLOSE_CODES = List.of(1000, 1001, 1006, 1008, 1009, 1011, 1013, 4401, 4408, 4429);

  private final AtomicLong open = new AtomicLong();
  private final AtomicLong authenticated = new AtomicLong();
  private final AtomicLong users = new AtomicLong();
  private final Counter opened;
  private final Counter unresponsive;
  private final Map<String, Counter> received = new HashMap<>();
  private final Map<String, Counter> sent = new HashMap<>();
  private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
  private final Map<String, Counter> closed = new HashMap<>();

  private SocketMetrics() {
    opened = null;
    unresponsive = null;
  }

  SocketMetrics(MeterRegistry registry, String server) {
    Gauge.builder(PREFIX + ".sockets.open", open, AtomicLong::get).tag("server", server)
      .description("Open WebSocket connections, authenticated or not").strongReference(true).register(registry);
    Gauge.builder(PREFIX + ".sockets.authenticated", authenticated, AtomicLong::get).tag("server", server)
      .description("Authenticated WebSocket connections").strongReference(true).register(registry);
    Gauge.builder(PREFIX + ".users.connected", users, AtomicLong::get).tag("server", server)
      .description("Users with an authenticated socket on this process (per verticle instance, summed)")
      .strongReference(true).register(registry);
    opened = Counter.builder(PREFIX + ".sockets.opened").tag("server", server)
      .description("WebSocket connections accepted").register(registry);
    unresponsive = Counter.builder(PREFIX + ".sockets.unresponsive").tag("server", server)
      .description("WebSocket connections cut because no pong (or any frame) came within PONG_TIMEOUT_MS of a ping "
        + "(clients that vanished without closing; also counted in sockets.closed as 1006)").register(registry);
    for (String type : RECEIVED_TYPES) {
      received.put(type, Counter.builder(PREFIX + ".frames.received").tag("server", server).tag("type", type)
        .description("Frames received and parsed, by type").register(registry));
    }
    for (String type : SENT_TYPES) {
      sent.put(type, Counter.builder(PREFIX + ".frames.sent").tag("server", server).tag("type", type)
        .description("Frames written to sockets, by type").register(registry));
    }
    for (ErrorCode code : ErrorCode.values()) {
      errors.put(code, errorCounter(registry, server, "ws", code));
    }
    for (Integer code : CLOSE_CODES) {
      closed.put(String.valueOf(code), closedCounter(registry, server, String.valueOf(code)));
    }
    closed.put(OTHER, closedCounter(registry, server, OTHER));
  }

  static Counter errorCounter(MeterRegistry registry, String server, String channel, ErrorCode code) {
    return Counter.builder(PREFIX + ".errors").tag("server", server).tag("channel", channel).tag("code", code.name())
      .description("Error answers (ERROR frames on sockets, error bodies on the REST API), by code")
      .register(registry);
  }

  private static Counter closedCounter(MeterRegistry registry, String server, String code) {
    return Counter.builder(PREFIX + ".sockets.closed").tag("server", server).tag("code", code)
      .description("WebSocket connections closed, by close code").register(registry);
  }

  /** A WebSocket was accepted. */
  public void socketOpened() {
    if (opened != null) {
      opened.increment();
      open.incrementAndGet();
    }
  }

  /** A WebSocket closed; {@code wasAuthenticated} when it had been counted by {@link #socketAuthenticated}. */
  public void socketClosed(Short code, boolean wasAuthenticated) {
    if (opened == null) {
      return;
    }
    open.decrementAndGet();
    if (wasAuthenticated) {
      authenticated.decrementAndGet();
    }
    Counter c = closed.get(code == null ? "1006" : String.valueOf(code));
    (c == null ? closed.get(OTHER) : c).increment();
  }

  /** A socket was cut because its client answered no ping: it vanished (its close is counted as 1006 too). */
  public void socketUnresponsive() {
    if (opened != null) {
      unresponsive.increment();
    }
  }

  public void socketAuthenticated() {
    if (opened != null) {
      authenticated.incrementAndGet();
    }
  }

  /** A user got their first socket here (+1) or closed their last one (-1). */
  public void userConnected(int delta) {
    if (opened != null) {
      users.addAndGet(delta);
    }
  }

  public void frameReceived(String type) {
    if (opened != null) {
      Counter c = received.get(type);
      (c == null ? received.get(OTHER) : c).increment();
    }
  }

  /** An encoded frame was written; its type is read from its start (our frames begin with {@code "type"}). */
  public void frameSent(String encoded) {
    framesSent(encoded, 1);
  }

  /** The same frame sent to {@code frames} sockets: its type is read once (group fan-out). */
  public void framesSent(String encoded, int frames) {
    if (opened != null && frames > 0) {
      Counter c = sent.get(typeOf(encoded));
      (c == null ? sent.get(OTHER) : c).increment(frames);
    }
  }

  public void error(ErrorCode code) {
    if (opened != null && code != null) {
      errors.get(code).increment();
    }
  }

  static String typeOf(String encoded) {
    String start = "{\"type\":\"";
    if (encoded == null || !encoded.startsWith(start)) {
      return OTHER;
    }
    int end = encoded.indexOf('"', start.length());
    return end < 0 || end - start.length() > 32 ? OTHER : encoded.substring(start.length(), end);
  }
}
