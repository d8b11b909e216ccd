package io.chatpresence.launcher.reliability;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.testing.WsClient;
import io.chatpresence.launcher.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.chatpresence.launcher.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 1,000 sockets (CI: 100) that never read, members of a busy group, while other users chat: the server
 * drops the stalled ones (1008) instead of buffering for them, and the others' latency stays low.
 */
class SlowReadersReliabilityIT {

  @Test
  void stalledSocketsCostBoundedMemoryAndDoNotSlowOthers() throws Exception {
    int slowUsers = Figures.size(10, 100);
    int socketsPerUser = 10;
    long floodMs = Figures.size(3_000, 20_000);
    Vertx vertx = Vertx.vertx();
    TestServer server = new TestServer(vertx, new JsonObject()
      .put(ConfigKeys.RATE_PER_SECOND, 100_000).put(ConfigKeys.RATE_BURST, 100_000)).start();
    WebSocketClient client = vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
      .setMaxConnections(100_000).setReceiveBufferSize(8 * 1024));
    try {
      String groupId = "flood_" + System.nanoTime() % 100000;
      TestServer.User flooder = server.newUser("flooder");
      try (WsClient f = server.chat(flooder)) {
        f.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
        f.next("SUCCESS");
      }
      List<WebSocket> stalled = new ArrayList<>();
      AtomicInteger dropped = new AtomicInteger();
      List<CompletableFuture<Short>> closes = new ArrayList<>();
      for (int u = 0; u < slowUsers; u++) {
        TestServer.User slow = server.newUser("slow");
        try (WsClient j = server.chat(slow)) {
          j.send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groupId));
          j.next("SUCCESS");
        }
        for (int s = 0; s < socketsPerUser; s++) {
          WebSocket ws = await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
            .setPort(server.chatPort).setURI("/")));
          CompletableFuture<Void> authed = new CompletableFuture<>();
          CompletableFuture<Short> closed = new CompletableFuture<>();
          ws.textMessageHandler(t -> authed.complete(null));
          ws.closeHandler(v -> {
            dropped.incrementAndGet(); // 1008 if the close frame made it, else the cut connection (1006)
            closed.complete(ws.closeStatusCode());
          });
          await(ws.writeTextMessage(new JsonObject().put("type", "AUTH").put("token", slow.token()).encode()));
          authed.get(10, TimeUnit.SECONDS);
          ws.pause();
          stalled.add(ws);
          closes.add(closed);
        }
      }
      long heapBefore = Figures.heapAfterGcMb();

      TestServer.User alice = server.newUser("chatty");
      TestServer.User bob = server.newUser("chatty");
      List<Long> latencies = new ArrayList<>();
      String big = "f".repeat(3_900);
      try (WsClient f = server.chat(flooder); WsClient a = server.chat(alice); WsClient b = server.chat(bob)) {
        long end = System.nanoTime() + floodMs * 1_000_000L;
        int i = 0;
        while (System.nanoTime() < end) {
          f.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", groupId).put("content", big));
          f.until(x -> "SUCCESS".equals(x.getString("type")));
          long t0 = System.nanoTime();
          a.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", bob.name()).put("content", "ping " + i++));
          b.next("ONE_TO_ONE_CHAT");
          latencies.add(System.nanoTime() - t0);
          a.next("SUCCESS");
        }
      }
      long heapDuring = Figures.heapAfterGcMb();
      // let the stalled sockets read what is buffered and the close frames the server sent
      stalled.forEach(WebSocket::resume);
      try {
        CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      } catch (Exception someStillOpen) {
        // those were not dropped: counted below
      }
      int droppedCount = dropped.get();
      stalled.forEach(WebSocket::close);
      long[] sorted = latencies.stream().mapToLong(Long::longValue).toArray();
      Arrays.sort(sorted);
      new Figures("sockets that never read while others chat")
        .put("stalled_sockets", stalled.size()).put("dropped", droppedCount)
        .put("heap_before_mb", heapBefore).put("heap_during_mb", heapDuring)
        .put("others_messages", sorted.length)
        .put("others_p50_ms", String.format("%.2f", Figures.percentile(sorted, 0.50)))
        .put("others_p99_ms", String.format("%.2f", Figures.percentile(sorted, 0.99))).report();
      assertTrue(heapDuring < heapBefore + 256, "server heap grew from " + heapBefore + " to " + heapDuring + " MB");
      assertTrue(sorted.length > 10, "the others kept chatting");
    } finally {
      client.close();
      server.stop();
      vertx.close();
    }
  }
}
