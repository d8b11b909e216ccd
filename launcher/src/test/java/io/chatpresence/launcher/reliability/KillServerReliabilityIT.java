package io.chatpresence.launcher.reliability;

import io.chatpresence.server.testing.Ports;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.launcher.Launched;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kill -9 of the whole server (and its embedded database) while clients send; they reconnect and retry. */
class KillServerReliabilityIT {
  private final Vertx vertx = Vertx.vertx();
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    Launched.stopAll(started);
    vertx.close();
  }

  @Test
  void acknowledgedMessagesSurviveAKillAndRetriesStoreNothingTwice() throws Exception {
    int clients = Figures.size(4, 20);
    int messages = Figures.size(100, 500);
    int chat = Ports.free();
    Path log = Files.createTempFile("kill-reliability", ".log");
    Map<String, String> env = Map.of("DATA_DIR", Files.createTempDirectory("kill-reliability").toString(),
      "CHAT_PORT", "" + chat, "PRESENCE_PORT", "" + Ports.free(), "PASSWORD_ITERATIONS", "1000",
      "RATE_PER_SECOND", "100000", "RATE_BURST", "100000");
    Process server = Launched.start(log, env, "all");
    started.add(server);
    Launched.awaitReady(server, chat, log);
    Rest rest = new Rest(chat);
    String peer = "kpeer_" + System.nanoTime() % 100000;
    rest.register(peer, "password-peer");
    List<RetryingSender> senders = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      String name = "ksend_" + i + "_" + System.nanoTime() % 100000;
      senders.add(new RetryingSender(name, rest.register(name, "password-" + i), peer, messages));
    }
    for (RetryingSender s : senders) {
      assertTrue(s.connect(vertx, chat));
      s.sendUnacked();
    }
    senders.get(0).readAcks(messages / 3);
    Launched.killGroup(server); // the JVM and, through the process group, its PostgreSQL
    server.waitFor(30, TimeUnit.SECONDS);
    for (RetryingSender s : senders) {
      s.readAcks(messages);
      s.drain();
    }
    int ackedBefore = senders.stream().mapToInt(s -> s.acked.size()).sum();

    long restart = System.nanoTime();
    Process again = Launched.start(log, env, "all");
    started.add(again);
    Launched.awaitReady(again, chat, log);
    double restartSeconds = (System.nanoTime() - restart) / 1e9;
    for (RetryingSender s : senders) {
      assertTrue(s.connect(vertx, chat));
      s.sendUnacked();
      s.readAcks(messages);
    }
    int missing = 0;
    int duplicated = 0;
    int acked = 0;
    for (RetryingSender s : senders) {
      int[] audit = s.audit(s.history());
      missing += audit[0];
      duplicated += audit[1];
      acked += s.acked.size();
      s.close();
    }
    new Figures("kill -9 of the server while clients send")
      .put("clients", clients).put("messages", clients * messages)
      .put("acknowledged_before_kill", ackedBefore).put("acknowledged_total", acked)
      .put("missing", missing).put("duplicated", duplicated)
      .put("restart_to_ready_s", String.format("%.1f", restartSeconds)).report();
    assertEquals(clients * messages, acked);
    assertEquals(0, missing);
    assertEquals(0, duplicated);
  }
}
