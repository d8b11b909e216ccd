package io.chatpresence.launcher.reliability;

import io.chatpresence.launcher.TestServer;
import io.chatpresence.server.db.Pools;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Erasure of a user with many messages (100,000 at full scale) while other users keep sending: the others'
 * send-to-SUCCESS latency before and during the erasure, and that every message's text was erased.
 */
class ErasureReliabilityIT {
  private static final String KEY = "erasure-admin-key-0123456789abcdef";
  private static final int SENDERS = 8;

  private record Sample(long atNanos, long latencyNanos) {
  }

  @Test
  void othersKeepSendingWhileAHeavyUserIsErased() throws Exception {
    int messages = Figures.size(20_000, 100_000);
    Vertx vertx = Vertx.vertx();
    TestServer server = new TestServer(vertx, new JsonObject().put("ADMIN_API_KEYS", KEY)
      .put("RATE_PER_SECOND", 100_000.0).put("RATE_BURST", 100_000)).start();
    Pool pool = Pools.create(vertx, io.chatpresence.server.config.ConfigKeys.defaults().mergeIn(server.config));
    try {
      TestServer.User heavy = server.newUser("heavy");
      TestServer.User partner = server.newUser("partner");
      String chatId = server.rest.post("/api/chats", new JsonObject().put("with", partner.name()), heavy.token())
        .json().getString("chatId");
      TestServer.await(pool.preparedQuery("WITH c AS (UPDATE conversations SET last_seq = $3 WHERE external_id = $2 RETURNING id) "
        + "INSERT INTO messages (conversation_id, seq, sender, content) "
        + "SELECT c.id, g, $1, 'message number ' || g FROM c, generate_series(1, $3) g")
        .execute(Tuple.of(heavy.name(), chatId, messages)));

      List<TestServer.User> senders = new ArrayList<>();
      for (int i = 0; i < SENDERS * 2; i++) {
        senders.add(server.newUser("other"));
      }
      AtomicBoolean stop = new AtomicBoolean();
      ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < SENDERS; i++) {
        TestServer.User from = senders.get(2 * i);
        TestServer.User to = senders.get(2 * i + 1);
        Thread t = new Thread(() -> {
          try (WsClient ws = server.chat(from)) {
            while (!stop.get()) {
              long t0 = System.nanoTime();
              ws.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", to.name()).put("content", "x"));
              ws.next("SUCCESS");
              samples.add(new Sample(t0, System.nanoTime() - t0));
            }
          }
        });
        t.start();
        threads.add(t);
      }
      // a baseline of the same load, as long as at least 2,000 sends take
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> samples.size() >= 2_000);
      long eraseStart = System.nanoTime();
      // one call that erases everything (100,000 messages at full scale): it answers when done
      int status = server.rest.withTimeout(java.time.Duration.ofMinutes(3))
        .delete("/api/admin/users/" + heavy.name(), null, KEY).status();
      long eraseEnd = System.nanoTime();
      stop.set(true);
      for (Thread t : threads) {
        t.join(30_000);
      }
      assertEquals(204, status);
      long left = TestServer.await(pool.preparedQuery("SELECT count(*) FROM messages WHERE sender = $1 AND (content <> '' OR deleted_at IS NULL)")
        .execute(Tuple.of(heavy.name()))).iterator().next().getLong(0);
      assertEquals(0, left);

      long[] before = samples.stream().filter(s -> s.atNanos() < eraseStart).mapToLong(Sample::latencyNanos).sorted().toArray();
      long[] during = samples.stream().filter(s -> s.atNanos() >= eraseStart && s.atNanos() < eraseEnd)
        .mapToLong(Sample::latencyNanos).sorted().toArray();
      assertTrue(during.length > 0, "others' sends went on during the erasure");
      new Figures("erasure of a heavy user").put("messages_erased", messages)
        .put("erasure_ms", (eraseEnd - eraseStart) / 1_000_000)
        .put("others_sends_before", before.length).put("others_p50_before_ms", String.format("%.2f", Figures.percentile(before, 0.5)))
        .put("others_p99_before_ms", String.format("%.2f", Figures.percentile(before, 0.99)))
        .put("others_sends_during", during.length).put("others_p50_during_ms", String.format("%.2f", Figures.percentile(during, 0.5)))
        .put("others_p99_during_ms", String.format("%.2f", Figures.percentile(during, 0.99)))
        .put("others_max_during_ms", String.format("%.2f", Figures.percentile(during, 1.0))).report();
    } finally {
      server.stop();
      vertx.close();
    }
  }
}
