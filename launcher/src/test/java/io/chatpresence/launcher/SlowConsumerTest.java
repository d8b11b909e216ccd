package io.chatpresence.launcher;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.chatpresence.launcher.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A client that stops reading is dropped (1008) instead of growing the server's memory; others go on. */
@ExtendWith(VertxExtension.class)
class SlowConsumerTest {
  @RegisterExtension
  static final TestServer server = TestServer.perClass(new JsonObject()
    .put(ConfigKeys.MAX_WRITE_QUEUE_BYTES, 64 * 1024)
    .put(ConfigKeys.RATE_PER_SECOND, 100_000).put(ConfigKeys.RATE_BURST, 100_000));

  @Test
  void aSocketThatStopsReadingIsClosedWith1008AndTheOthersAreUnaffected(Vertx vertx) throws Exception {
    TestServer.User alice = server.newUser("fast");
    TestServer.User bob = server.newUser("reader");
    TestServer.User carol = server.newUser("stalled");
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket stalled = await(client.connect(new WebSocketConnectOptions()
      .setHost("127.0.0.1").setPort(server.chatPort).setURI("/")));
    CompletableFuture<Short> closed = new CompletableFuture<>();
    CompletableFuture<Void> authenticated = new CompletableFuture<>();
    stalled.textMessageHandler(t -> authenticated.complete(null));
    stalled.closeHandler(v -> closed.complete(stalled.closeStatusCode()));
    await(stalled.writeTextMessage(new JsonObject().put("type", "AUTH").put("token", carol.token()).encode()));
    authenticated.get(10, TimeUnit.SECONDS);
    stalled.pause(); // reads nothing more: the kernel buffers fill, then the server's write queue

    String big = "x".repeat(3_900);
    int messages = 5_000; // ~20 MB: more than the kernel's socket buffers plus the 64 KiB write queue
    try (WsClient bobReading = server.chat(bob); WsClient a = server.chat(alice)) {
      for (int sent = 0; sent < messages; sent += 100) {
        for (int i = 0; i < 100; i++) {
          a.send(ChatSocketTest.direct(carol.name(), big));
        }
        for (int i = 0; i < 100; i++) {
          a.next("SUCCESS");
        }
      }
      stalled.resume(); // read what was buffered, then the server's close frame
      assertEquals((short) 1008, closed.get(30, TimeUnit.SECONDS));
      // the sender and the reading socket are fine
      a.send(ChatSocketTest.direct(bob.name(), "still here"));
      a.next("SUCCESS");
      assertEquals("still here", bobReading.until(f -> "still here".equals(f.getString("content"))).getString("content"));
    } finally {
      client.close();
    }
  }
}
