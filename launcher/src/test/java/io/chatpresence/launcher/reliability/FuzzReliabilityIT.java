package io.chatpresence.launcher.reliability;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.testing.WsClient;
import io.chatpresence.launcher.LiveFuzzTest;
import io.chatpresence.launcher.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A million fuzzed frames (CI: 20,000) over a few sockets; the server keeps answering, its heap stays flat. */
class FuzzReliabilityIT {

  @Test
  void fuzzedFramesCrashNothingAndLeakNothing() {
    int frames = Figures.size(20_000, 1_000_000);
    int sockets = 4;
    Vertx vertx = Vertx.vertx();
    TestServer server = new TestServer(vertx, new JsonObject()
      .put(ConfigKeys.RATE_PER_SECOND, 1_000_000).put(ConfigKeys.RATE_BURST, 1_000_000)).start();
    try {
      TestServer.User peer = server.newUser("fzpeer");
      List<WsClient> clients = new ArrayList<>();
      List<TestServer.User> users = new ArrayList<>();
      for (int i = 0; i < sockets; i++) {
        TestServer.User u = server.newUser("fz");
        users.add(u);
        clients.add(server.chat(u));
      }
      long heapBefore = Figures.heapAfterGcMb();
      Random random = new Random(Long.getLong("fuzz.seed", 7L));
      int crashes = 0;
      long start = System.nanoTime();
      for (int sent = 0; sent < frames; ) {
        for (int i = 0; i < sockets && sent < frames; i++) {
          WsClient c = clients.get(i);
          for (int k = 0; k < 250 && sent < frames; k++, sent++) {
            c.sendText(LiveFuzzTest.randomFrame(random, users.get(i).name(), peer.name()));
          }
          // a marker closes each burst: when its answer is back, the burst was handled
          c.send(new JsonObject().put("type", "GET_GROUP_CHAT_HISTORY").put("groupId", "marker_" + sent));
          String marker = "marker_" + sent;
          c.until(f -> f.getString("msg", "").contains(marker));
          c.pending();
          if (c.isClosed()) {
            crashes++;
            clients.set(i, server.chat(users.get(i)));
          }
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      clients.forEach(WsClient::close);
      long heapAfter = Figures.heapAfterGcMb();
      // still serving
      try (WsClient check = server.chat(users.get(0))) {
        check.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", peer.name()).put("content", "alive"));
        assertEquals("SUCCESS", check.until(f -> "SUCCESS".equals(f.getString("type"))).getString("type"));
      }
      new Figures("fuzzed frames against live sockets").put("frames", frames)
        .put("frames_per_s", (int) (frames / seconds)).put("crashes", crashes)
        .put("heap_before_mb", heapBefore).put("heap_after_mb", heapAfter).report();
      assertEquals(0, crashes);
      assertTrue(heapAfter < heapBefore + 64, "heap grew from " + heapBefore + " to " + heapAfter + " MB");
    } finally {
      server.stop();
      vertx.close();
    }
  }
}
