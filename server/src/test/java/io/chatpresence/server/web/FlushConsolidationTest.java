package io.chatpresence.server.web;

import io.chatpresence.server.testing.WsClient;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames a server writes to a socket outside that socket's read (as a batch's answers and deliveries are written)
 * reach the network in one flush per event-loop task, complete and in order, also when the socket is closed right
 * after them; a burst of large frames is flushed before the write queue looks full (the slow-consumer check). The
 * server is {@link HttpSupport#httpServer}'s, as the product's; a handler counting the flushes that reach the socket
 * sits below everything else in the pipeline.
 */
class FlushConsolidationTest {
  private static final int BURST = 100;
  /** The write queue's limit here (the product's is 256 KiB). */
  private static final int LIMIT = 64 * 1024;

  private static Vertx vertx;
  private static int port;
  private static final AtomicInteger flushes = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    HttpServer server = HttpSupport.httpServer(vertx, new HttpServerOptions().setHost("127.0.0.1").setPort(0))
      .webSocketHandler(FlushConsolidationTest::serve);
    port = server.listen().await(10, TimeUnit.SECONDS).actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /**
   * "burst": {@value #BURST} frames from a timer, in one task; "burst-close": three frames and close 4000; "large":
   * large frames in one task, then whether the write queue ever looked full before one of them.
   */
  private static void serve(ServerWebSocket ws) {
    ((WebSocketInternal) ws).channelHandlerContext().pipeline().addFirst("count-flushes",
      new ChannelOutboundHandlerAdapter() {
        @Override
        public void flush(ChannelHandlerContext ctx) {
          flushes.incrementAndGet();
          ctx.flush();
        }
      });
    ws.setWriteQueueMaxSize(LIMIT);
    ws.textMessageHandler(text -> vertx.setTimer(1, t -> {
      if ("large".equals(text)) { // 20 frames of 16 KiB, 5 times the write queue's limit, in one task
        boolean full = false;
        for (int i = 0; i < 20; i++) {
          full |= ws.writeQueueFull();
          ws.writeTextMessage("{\"type\":\"N\",\"n\":" + i + ",\"pad\":\"" + "x".repeat(16 * 1024) + "\"}");
        }
        ws.writeTextMessage("{\"type\":\"FULL\",\"seen\":" + full + "}");
        return;
      }
      int frames = "burst".equals(text) ? BURST : 3;
      for (int i = 0; i < frames; i++) {
        ws.writeTextMessage("{\"type\":\"N\",\"n\":" + i + "}");
      }
      if ("burst-close".equals(text)) {
        ws.close((short) 4000);
      }
    }));
  }

  @Test
  void framesWrittenInOneTaskGoInOneFlushInOrder() {
    try (WsClient client = WsClient.connect(vertx, port)) {
      int before = flushes.get();
      client.sendText("burst");
      for (int i = 0; i < BURST; i++) {
        assertEquals(i, client.next("N").getInteger("n"), "frame " + i + " in order");
      }
      int used = flushes.get() - before;
      assertTrue(used >= 1 && used <= 2, BURST + " frames written in one task took " + used + " flushes");
    }
  }

  @Test
  void largeFramesOfOneTaskAreFlushedBeforeTheyFillTheWriteQueue() {
    try (WsClient client = WsClient.connect(vertx, port)) {
      client.sendText("large");
      for (int i = 0; i < 20; i++) {
        assertEquals(i, client.next("N").getInteger("n"), "frame " + i + " in order");
      }
      assertEquals(false, client.next("FULL").getBoolean("seen"),
        "the slow-consumer check would have dropped a client that reads");
    }
  }

  @Test
  void framesWrittenJustBeforeACloseArriveBeforeIt() {
    try (WsClient client = WsClient.connect(vertx, port)) {
      client.sendText("burst-close");
      for (int i = 0; i < 3; i++) {
        assertEquals(i, client.next("N").getInteger("n"));
      }
      assertEquals(4000, client.closeCode());
    }
  }
}
