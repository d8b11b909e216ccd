package io.chatpresence.launcher;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.WsClient;
import io.chatpresence.chat.ChatVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static io.chatpresence.launcher.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Not part of the suite (no *Test name): prints same-node and cross-node delivery latency, send to receipt,
 * over N messages each. Run: {@code mvn -pl launcher test -Dtest=ClusterLatencyBench -Dbench.messages=10000}.
 */
class ClusterLatencyBench {

  @Test
  void sameNodeAgainstCrossNode() {
    int n = Integer.getInteger("bench.messages", 10_000);
    String cluster = "bench-" + UUID.randomUUID();
    JsonObject fast = new JsonObject().put(ConfigKeys.RATE_PER_SECOND, 100_000).put(ConfigKeys.RATE_BURST, 100_000);
    ClusterNode a = ClusterNode.join(cluster);
    ClusterNode b = ClusterNode.join(cluster);
    try {
      await(a.vertx.deployVerticle(ChatVerticle.class, new DeploymentOptions().setConfig(a.config(fast))));
      await(b.vertx.deployVerticle(ChatVerticle.class, new DeploymentOptions().setConfig(b.config(fast))));
      Rest rest = new Rest(a.chatPort);
      String run = Long.toString(System.nanoTime() % 100000);
      String sender = "bs_" + run;
      String local = "bl_" + run;
      String remote = "br_" + run;
      String senderToken = rest.register(sender, "password-1");
      String localToken = rest.register(local, "password-2");
      String remoteToken = rest.register(remote, "password-3");
      ConcurrentHashMap<String, Long> sentAt = new ConcurrentHashMap<>();
      long[] sameNode = new long[n];
      long[] crossNode = new long[n];
      try (WsClient s = WsClient.authenticated(a.vertx, a.chatPort, senderToken);
           WsClient l = WsClient.authenticated(a.vertx, a.chatPort, localToken);
           WsClient r = WsClient.authenticated(b.vertx, b.chatPort, remoteToken)) {
        int warmup = Math.min(1000, n / 10);
        for (int i = -warmup; i < n; i++) {
          for (String to : new String[] {local, remote}) {
            String key = to + ":" + i;
            sentAt.put(key, System.nanoTime());
            s.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", to).put("content", key));
          }
          JsonObject atLocal = l.next("ONE_TO_ONE_CHAT");
          long tl = System.nanoTime();
          JsonObject atRemote = r.next("ONE_TO_ONE_CHAT");
          long tr = System.nanoTime();
          s.next("SUCCESS");
          s.next("SUCCESS");
          if (i >= 0) {
            sameNode[i] = tl - sentAt.remove(atLocal.getString("content"));
            crossNode[i] = tr - sentAt.remove(atRemote.getString("content"));
          } else {
            sentAt.clear();
          }
        }
      }
      report("same node ", sameNode);
      report("cross node", crossNode);
      assertEquals(n, sameNode.length);
    } finally {
      b.close();
      a.close();
    }
  }

  private static void report(String label, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf("%s: n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms%n", label, sorted.length,
      sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6, sorted[sorted.length - 1] / 1e6);
  }
}
