package io.chatpresence.launcher.reliability;

import io.chatpresence.launcher.Launched;
import io.chatpresence.server.db.Pools;
import io.chatpresence.server.testing.Ports;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.TestDatabase;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 3, soak (issue 17): {@code bin/vertx run all} (loopback) under mixed load for
 * {@code reliability.soakMinutes} (CI: 1; {@code bin/reliability soak 30}): one-to-one messages, group
 * messages, history pages, and presence churn (10 % of the clients reconnect their chat and presence sockets each
 * minute). Sampled each minute (every 15 s in runs under 5 minutes): the server's heap after a full GC, its open
 * file descriptors and threads, PostgreSQL client connections and the dead tuples of {@code messages}; plotted to
 * a PNG. Required: heap and descriptors flat, the last sample within 10 % of the first after the warm-up.
 */
class SoakReliabilityIT {
  private static final String SECRET = "soak-reliability-secret-0123456789";

  private final Vertx vertx = Vertx.vertx();
  private final List<Process> started = new ArrayList<>();
  private final List<WsClient> sockets = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    sockets.forEach(WsClient::close);
    Launched.stopAll(started);
    vertx.close();
  }

  @Test
  void heapAndDescriptorsStayFlatUnderMixedLoad() throws Exception {
    int minutes = Integer.getInteger("reliability.soakMinutes", 1);
    long sampleEveryMs = minutes < 5 ? 15_000 : 60_000;
    long warmUpMs = minutes < 5 ? 15_000 : 60_000;
    int clients = Figures.full() || minutes >= 5 ? 60 : 20;
    int chat = Ports.free();
    int presencePort = Ports.free();
    Path log = Files.createTempFile("soak-reliability", ".log");
    String pgUrl = TestDatabase.url();
    Process server = Launched.start(log, Map.of("PG_URL", pgUrl, "JWT_SECRET", SECRET,
      "DATA_DIR", Files.createTempDirectory("soak").toString(), "CHAT_PORT", "" + chat,
      "PRESENCE_PORT", "" + presencePort, "PASSWORD_ITERATIONS", "1000",
      "JAVA_OPTS", "-Xmx512m -XX:+UseSerialGC"), "all");
    started.add(server);
    Launched.awaitReady(server, chat, log);
    Pool sql = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(Pools.connectOptions(pgUrl))
      .using(vertx).build();

    Rest rest = new Rest(chat);
    String run = Long.toString(System.nanoTime() % 1_000_000, 36);
    List<String> names = new ArrayList<>();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      names.add("soak" + i + "_" + run);
      tokens.add(rest.register(names.get(i), "password-" + i));
    }
    // groups of five; each client is a contact of its ring neighbour
    List<String> groups = new ArrayList<>();
    for (int i = 0; i < clients; i += 5) {
      groups.add(rest.post("/api/groups", new JsonObject().put("name", "soak " + i), tokens.get(i)).json()
        .getString("groupId"));
    }
    WsClient[] chatSockets = new WsClient[clients];
    WsClient[] presenceSockets = new WsClient[clients];
    for (int i = 0; i < clients; i++) {
      rest.post("/api/chats", new JsonObject().put("with", names.get((i + 1) % clients)), tokens.get(i));
      chatSockets[i] = WsClient.authenticated(vertx, chat, tokens.get(i));
      presenceSockets[i] = WsClient.authenticated(vertx, presencePort, tokens.get(i));
      if (i % 5 != 0) {
        chatSockets[i].send(new JsonObject().put("type", "JOIN_GROUP").put("groupId", groups.get(i / 5)));
      }
    }

    long pid = server.pid();
    List<long[]> samples = new ArrayList<>();
    List<Double> sampleMinutes = new ArrayList<>();
    PartitionReliabilityIT.Pacer pacer = new PartitionReliabilityIT.Pacer(1_000);
    long start = System.nanoTime();
    long end = start + minutes * 60_000_000_000L + warmUpMs * 1_000_000L;
    long nextSample = start + warmUpMs * 1_000_000L;
    long nextChurn = start + 60_000_000_000L;
    long round = 0;
    long sent = 0;
    int churned = 0;
    while (System.nanoTime() < end) {
      long r = round++;
      pacer.await(() -> { });
      for (int i = 0; i < clients; i++) {
        WsClient c = chatSockets[i];
        c.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", names.get((i + 1) % clients))
          .put("content", "soak " + r + " from " + i));
        sent++;
        if (r % 5 == i % 5) {
          c.send(new JsonObject().put("type", "GROUP_CHAT").put("groupId", groups.get(i / 5))
            .put("content", "group soak " + r));
          sent++;
        }
        if (r % 10 == i % 10) {
          c.send(new JsonObject().put("type", "GET_ONE_TO_ONE_HISTORY").put("to", names.get((i + 1) % clients))
            .put("limit", 50));
        }
        c.pending();
        presenceSockets[i].pending();
      }
      if (System.nanoTime() > nextChurn) {
        nextChurn += 60_000_000_000L;
        // presence churn: a tenth of the clients reconnect both sockets
        for (int k = 0; k < Math.max(1, clients / 10); k++) {
          int i = (int) ((churned++ * 7L) % clients);
          chatSockets[i].close();
          presenceSockets[i].close();
          chatSockets[i] = WsClient.authenticated(vertx, chat, tokens.get(i));
          presenceSockets[i] = WsClient.authenticated(vertx, presencePort, tokens.get(i));
        }
      }
      if (System.nanoTime() > nextSample) {
        nextSample += sampleEveryMs * 1_000_000L;
        samples.add(sample(pid, sql));
        sampleMinutes.add((System.nanoTime() - start) / 60e9);
      }
    }
    samples.add(sample(pid, sql));
    sampleMinutes.add((System.nanoTime() - start) / 60e9);
    for (int i = 0; i < clients; i++) {
      sockets.add(chatSockets[i]);
      sockets.add(presenceSockets[i]);
    }
    sql.close();

    long[] first = samples.get(0);
    long[] last = samples.get(samples.size() - 1);
    Path png = minutes >= 10 ? Launched.ROOT.resolve("docs/reliability-soak.png")
      : Path.of("target", "reliability", "soak-" + minutes + "min.png");
    Files.createDirectories(png.getParent());
    SoakPlot.write(png, "soak: bin/vertx run all, " + clients + " clients, " + minutes + " min (" + Instant.now()
      .toString().substring(0, 16) + "Z)", sampleMinutes, samples);
    StringBuilder table = new StringBuilder();
    for (int i = 0; i < samples.size(); i++) {
      long[] s = samples.get(i);
      table.append(String.format("%n  t=%.1f min heap=%d KB fds=%d threads=%d pg=%d dead=%d", sampleMinutes.get(i),
        s[0] / 1024, s[1], s[2], s[3], s[4]));
    }
    System.out.println("  soak samples:" + table);
    double heapChange = (last[0] - first[0]) / (double) first[0];
    double fdChange = (last[1] - first[1]) / (double) first[1];
    new Figures("soak: run all under mixed load")
      .put("minutes", minutes).put("clients", clients).put("frames_sent", sent).put("churned", churned)
      .put("samples", samples.size())
      .put("heap_kb_first_last", first[0] / 1024 + "/" + last[0] / 1024)
      .put("heap_change_pct", String.format("%.1f", 100 * heapChange))
      .put("fds_first_last", first[1] + "/" + last[1]).put("fd_change_pct", String.format("%.1f", 100 * fdChange))
      .put("threads_first_last", first[2] + "/" + last[2]).put("pg_connections_first_last", first[3] + "/" + last[3])
      .put("messages_dead_tuples_first_last", first[4] + "/" + last[4]).put("plot", png).report();
    assertTrue(server.isAlive(), "the server died");
    assertTrue(Math.abs(heapChange) <= 0.10, "heap after GC changed by " + String.format("%.1f %%", 100 * heapChange));
    assertTrue(Math.abs(fdChange) <= 0.10, "open descriptors changed by " + String.format("%.1f %%", 100 * fdChange));
  }

  /** [heap after a full GC (bytes), open fds, threads, PostgreSQL client connections, dead tuples of messages]. */
  private static long[] sample(long pid, Pool sql) throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
      Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(120, TimeUnit.SECONDS);
    long heap = -1;
    for (String line : out.split("\n")) {
      if (line.startsWith("Total")) {
        heap = Long.parseLong(line.trim().split("\\s+")[2]);
      }
    }
    String[] fds = new java.io.File("/proc/" + pid + "/fd").list();
    long threads = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
      .filter(l -> l.startsWith("Threads:")).mapToLong(l -> Long.parseLong(l.substring(8).trim())).findFirst()
      .orElse(-1);
    Row row = sql.query("SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
        + "AND pid <> pg_backend_pid()) AS connections, "
        + "(SELECT coalesce(sum(n_dead_tup), 0) FROM pg_stat_user_tables WHERE relname = 'messages') AS dead")
      .execute().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).iterator().next();
    return new long[] {heap, fds == null ? -1 : fds.length, threads, row.getLong("connections"), row.getLong("dead")};
  }
}
