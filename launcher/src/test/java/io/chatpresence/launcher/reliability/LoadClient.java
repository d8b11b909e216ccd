package io.chatpresence.launcher.reliability;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A steady client for the rolling restart: sends to its peer at a fixed rate, and when its socket closes it
 * reconnects on the client document's schedule (after 2, 4, 6, 8, 10 s; then it gives up), to the next node in
 * its list (a load balancer sends it to a live one), and resends what is unacknowledged with the same
 * clientMsgIds, a few per tick (a burst of resends would only meet the rate limit). Runs on the clients' Vert.x; the test thread reads it under its lock.
 */
final class LoadClient {
  private static final int MAX_ATTEMPTS = 5;

  final String name;
  final String token;
  final String peer;
  private final Vertx vertx;
  private final WebSocketClient client;
  private final List<Integer> ports;
  private int portIndex;
  private WebSocket ws;
  private boolean authenticated;
  private boolean sending = true;
  private boolean stopped;
  private int serial;
  private int attempts;
  private long closedAt = -1;
  final Map<String, String> contentById = new LinkedHashMap<>();
  final Map<String, String> acked = new HashMap<>();
  final Set<String> unacked = new LinkedHashSet<>();
  /** Unacknowledged messages to send again (after a reconnect, or refused), a few per tick: under the rate limit. */
  private final Set<String> toRetry = new LinkedHashSet<>();
  final Map<String, Long> receivedLive = new HashMap<>();
  final List<Long> reconnectNanos = new ArrayList<>();
  /** ERROR frames by code (a node shutting down may answer a send it can no longer store). */
  final Map<String, Integer> errors = new HashMap<>();
  private long lastReceived = -1;
  long worstGapNanos;
  boolean gaveUp;

  LoadClient(Vertx vertx, WebSocketClient client, String name, String token, String peer, List<Integer> ports,
             int firstPort) {
    this.vertx = vertx;
    this.client = client;
    this.name = name;
    this.token = token;
    this.peer = peer;
    this.ports = ports;
    this.portIndex = firstPort;
  }

  /** Connects and sends {@code perSecond} messages a second from then on. */
  void start(double perSecond) {
    vertx.runOnContext(v -> {
      connect();
      vertx.setPeriodic((long) (1000 / perSecond), t -> {
        if (stopped) {
          vertx.cancelTimer(t);
        } else {
          tick();
        }
      });
    });
  }

  private synchronized void tick() {
    if (!authenticated) {
      return;
    }
    if (sending) {
      String id = name + "-" + serial++;
      contentById.put(id, name + " to " + peer + " #" + id);
      unacked.add(id);
      write(id);
    }
    // at most two resends a tick: with the new message that stays under the server's 20 frames/s
    var retries = toRetry.iterator();
    for (int i = 0; i < 2 && retries.hasNext(); i++) {
      String id = retries.next();
      retries.remove();
      if (unacked.contains(id)) {
        write(id);
      }
    }
  }

  private void write(String id) {
    ws.writeTextMessage(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", peer)
      .put("content", contentById.get(id)).put("clientMsgId", id).encode());
  }

  private void connect() {
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(ports.get(portIndex)).setURI("/"))
      .onSuccess(socket -> {
        synchronized (this) {
          ws = socket;
        }
        socket.textMessageHandler(this::onText);
        socket.closeHandler(v -> onClose());
        socket.writeTextMessage(new JsonObject().put("type", "AUTH").put("token", token).encode());
      })
      .onFailure(e -> onClose());
  }

  private synchronized void onText(String text) {
    JsonObject f = new JsonObject(text);
    String type = f.getString("type");
    if ("SUCCESS".equals(type) && f.getString("clientMsgId") == null && !authenticated) {
      authenticated = true;
      attempts = 0;
      if (closedAt >= 0) {
        reconnectNanos.add(System.nanoTime() - closedAt);
        closedAt = -1;
      }
      toRetry.addAll(unacked);
    } else if ("SUCCESS".equals(type) && f.getString("clientMsgId") != null) {
      String id = f.getString("clientMsgId");
      acked.put(id, f.getString("messageId"));
      unacked.remove(id);
    } else if ("ERROR".equals(type)) {
      errors.merge(String.valueOf(f.getString("code")), 1, Integer::sum);
      String id = f.getString("clientMsgId");
      if (id != null && unacked.contains(id)) {
        // refused, not stored (a stopping node, the rate limit): sent again from a later tick
        toRetry.add(id);
      }
    } else if ("ONE_TO_ONE_CHAT".equals(type)) {
      long now = System.nanoTime();
      if (receivedLive.putIfAbsent(f.getString("messageId"), now) == null) {
        if (lastReceived >= 0) {
          worstGapNanos = Math.max(worstGapNanos, now - lastReceived);
        }
        lastReceived = now;
      }
    }
  }

  private synchronized void onClose() {
    authenticated = false;
    ws = null;
    if (stopped) {
      return;
    }
    if (closedAt < 0) {
      closedAt = System.nanoTime();
    }
    portIndex = (portIndex + 1) % ports.size();
    attempts++;
    if (attempts > MAX_ATTEMPTS) {
      gaveUp = true;
      return;
    }
    vertx.setTimer(2_000L * attempts, t -> connect());
  }

  synchronized boolean authenticated() {
    return authenticated;
  }

  synchronized void stopSending() {
    sending = false;
  }

  synchronized int unackedCount() {
    return unacked.size();
  }

  synchronized void stop() {
    stopped = true;
    if (ws != null) {
      ws.close();
    }
  }
}
