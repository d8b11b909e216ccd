package io.chatpresence.launcher.reliability;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.launcher.db.EmbeddedDatabase;
import io.chatpresence.launcher.db.Migrations;
import io.chatpresence.server.testing.Ports;
import io.chatpresence.server.testing.WsClient;
import io.chatpresence.launcher.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PostgreSQL stopped and started again while clients send; they retry what was refused. */
class DatabaseRestartReliabilityIT {

  @Test
  void nothingAcknowledgedIsLostAndServiceComesBackWithinSeconds() throws Exception {
    int clients = Figures.size(4, 20);
    long phaseMs = Figures.size(1_500, 10_000);
    Path dataDir = Files.createTempDirectory("db-restart");
    int port = Ports.free();
    EmbeddedDatabase database = EmbeddedDatabase.start(dataDir, port);
    Migrations.migrate(database.url());
    Vertx vertx = Vertx.vertx();
    TestServer server = new TestServer(vertx, new JsonObject().put(ConfigKeys.PG_URL, database.url())
      .put(ConfigKeys.RATE_PER_SECOND, 100_000).put(ConfigKeys.RATE_BURST, 100_000)).start();
    try {
      TestServer.User peer = server.newUser("dbpeer");
      List<RetryingSender> senders = new ArrayList<>();
      List<WsClient> sockets = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        TestServer.User u = server.newUser("dbsend");
        senders.add(new RetryingSender(u.name(), u.token(), peer.name(), 0));
        sockets.add(server.chat(u));
      }
      int refused = 0;
      long stoppedAt = 0;
      long startedAt = 0;
      long firstSuccessAfterStart = 0;
      long begin = System.nanoTime();
      int phase = 0; // 0 up, 1 down, 2 up again, 3 done
      int seq = 0;
      while (phase < 3) {
        long elapsedMs = (System.nanoTime() - begin) / 1_000_000;
        if (phase == 0 && elapsedMs > phaseMs) {
          database.close();
          stoppedAt = System.nanoTime();
          phase = 1;
        } else if (phase == 1 && elapsedMs > 2 * phaseMs) {
          database = EmbeddedDatabase.start(dataDir, port);
          startedAt = System.nanoTime();
          phase = 2;
        } else if (phase == 2 && elapsedMs > 3 * phaseMs && firstSuccessAfterStart > 0) {
          phase = 3;
        }
        seq++;
        for (int i = 0; i < clients; i++) {
          RetryingSender s = senders.get(i);
          String id = s.username + "-" + seq;
          s.toSend.put(id, s.username + " message " + seq);
          // closed loop: send, wait for the answer; refused ones are retried at the end
          JsonObject answer = send(sockets.get(i), peer.name(), id, s.toSend.get(id));
          if ("SUCCESS".equals(answer.getString("type"))) {
            s.acked.put(id, answer.getString("messageId"));
            if (phase == 2 && firstSuccessAfterStart == 0) {
              firstSuccessAfterStart = System.nanoTime();
            }
          } else {
            assertEquals("UNAVAILABLE", answer.getString("code"));
            refused++;
          }
        }
      }
      // the database is back: every refused message is sent again with its clientMsgId
      for (int i = 0; i < clients; i++) {
        RetryingSender s = senders.get(i);
        for (var m : s.toSend.entrySet()) {
          if (!s.acked.containsKey(m.getKey())) {
            JsonObject answer = send(sockets.get(i), peer.name(), m.getKey(), m.getValue());
            assertEquals("SUCCESS", answer.getString("type"), answer.encode());
            s.acked.put(m.getKey(), answer.getString("messageId"));
          }
        }
      }
      int missing = 0;
      int duplicated = 0;
      int acked = 0;
      int sent = 0;
      for (int i = 0; i < clients; i++) {
        RetryingSender s = senders.get(i);
        sent += s.toSend.size();
        List<JsonObject> history = sockets.get(i).oneToOneHistory(peer.name());
        int[] audit = s.audit(history);
        missing += audit[0];
        duplicated += audit[1];
        acked += s.acked.size();
        sockets.get(i).close();
      }
      double recoverSeconds = (firstSuccessAfterStart - startedAt) / 1e9;
      new Figures("PostgreSQL stopped and started under load")
        .put("clients", clients).put("down_s", String.format("%.1f", (startedAt - stoppedAt) / 1e9))
        .put("acknowledged", acked).put("refused_UNAVAILABLE", refused)
        .put("lost", missing).put("duplicated", duplicated)
        .put("recovered_s", String.format("%.2f", recoverSeconds)).report();
      assertEquals(sent, acked);
      assertEquals(0, missing);
      assertEquals(0, duplicated);
      assertTrue(recoverSeconds < 5, "recovered in " + recoverSeconds + " s");
    } finally {
      server.stop();
      vertx.close();
      database.close();
    }
  }

  private static JsonObject send(WsClient socket, String to, String clientMsgId, String content) {
    socket.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", to).put("content", content)
      .put("clientMsgId", clientMsgId));
    return socket.until(f -> "SUCCESS".equals(f.getString("type")) || "ERROR".equals(f.getString("type")));
  }

}
