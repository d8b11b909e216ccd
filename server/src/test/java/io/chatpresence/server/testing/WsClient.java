package io.chatpresence.server.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real WebSocket client for tests, read from the test thread: every received frame is queued, and the
 * test waits for the next one (or one that matches) with a deadline.
 */
public final class WsClient implements AutoCloseable {
  public static final Duration DEADLINE = Duration.ofSeconds(10);

  private final WebSocket ws;
  private final WebSocketClient client;
  private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();

  private WsClient(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode() == null ? -1 : ws.closeStatusCode()));
  }

  public static WsClient connect(Vertx vertx, int port) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxFrameSize(2 * 1024 * 1024).setMaxMessageSize(4 * 1024 * 1024));
    try {
      WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/"))
        .toCompletionStage().toCompletableFuture().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      return new WsClient(client, ws);
    } catch (Exception e) {
      throw new IllegalStateException("WebSocket connect to " + port + " failed", e);
    }
  }

  /** Connects and authenticates; fails the test unless the answer is SUCCESS. */
  public static WsClient authenticated(Vertx vertx, int port, String token) {
    WsClient c = connect(vertx, port);
    c.send(new JsonObject().put("type", "AUTH").put("token", token));
    JsonObject answer = c.next();
    assertEquals("SUCCESS", answer.getString("type"), () -> "AUTH answer: " + answer.encode());
    return c;
  }

  public WsClient send(JsonObject frame) {
    return sendText(frame.encode());
  }

  public WsClient sendText(String text) {
    join(ws.writeTextMessage(text).toCompletionStage().toCompletableFuture());
    return this;
  }

  public WsClient sendBinary(byte[] bytes) {
    join(ws.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer(bytes)).toCompletionStage().toCompletableFuture());
    return this;
  }

  /** The next frame, whatever it is. */
  public JsonObject next() {
    try {
      JsonObject frame = frames.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(frame, "no frame within " + DEADLINE);
      return frame;
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The next frame of this type; fails if another type comes first. */
  public JsonObject next(String type) {
    JsonObject frame = next();
    assertEquals(type, frame.getString("type"), () -> "expected " + type + " but got " + frame.encode());
    return frame;
  }

  /**
   * Skips frames until one matches; the skipped ones are returned through {@code skipped} if given. Fails when
   * no frame came for {@link #DEADLINE} (a slow machine still making progress is not a failure), or after
   * six times that in all.
   */
  public JsonObject until(Predicate<JsonObject> match, List<JsonObject> skipped) {
    long cap = System.nanoTime() + 6 * DEADLINE.toNanos();
    long end = Math.min(cap, System.nanoTime() + DEADLINE.toNanos());
    while (System.nanoTime() < end) {
      try {
        JsonObject frame = frames.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (frame == null) {
          break;
        }
        if (match.test(frame)) {
          return frame;
        }
        if (skipped != null) {
          skipped.add(frame);
        }
        end = Math.min(cap, System.nanoTime() + DEADLINE.toNanos());
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    fail("no matching frame: none for " + DEADLINE + " or none in " + DEADLINE.multipliedBy(6) + " in all");
    return null;
  }

  public JsonObject until(Predicate<JsonObject> match) {
    return until(match, new ArrayList<>());
  }

  /** Every message of the one-to-one chat with {@code to}, oldest first, read page by page with {@code before}. */
  public List<JsonObject> oneToOneHistory(String to) {
    List<JsonObject> all = new ArrayList<>();
    String before = null;
    do {
      JsonObject req = new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("to", to).put("limit", 200);
      if (before != null) {
        req.put("before", before);
      }
      send(req);
      JsonObject page = until(f -> "ONE_TO_ONE_CHAT_HISTORY".equals(f.getString("type")));
      List<JsonObject> chunk = new ArrayList<>();
      page.getJsonArray("messages").forEach(m -> chunk.add((JsonObject) m));
      all.addAll(0, chunk);
      before = page.getBoolean("hasMore") && !chunk.isEmpty() ? chunk.get(0).getString("messageId") : null;
    } while (before != null);
    return all;
  }

  /** Frames received and not yet read. */
  public List<JsonObject> pending() {
    List<JsonObject> list = new ArrayList<>();
    frames.drainTo(list);
    return list;
  }

  /** The close code the server sent, waiting for it. */
  public short closeCode() {
    try {
      return closed.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("socket not closed within " + DEADLINE, e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      ws.close();
    }
    client.close();
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
