package io.chatpresence.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code bin/bench <connections|direct|cluster|fanout|history|all> [--quick]}: runs the product in this JVM (its own
 * Vert.x, embedded PostgreSQL with fsync on) and drives it with {@link Gen}; prints progress, writes
 * bench/results/&lt;scenario&gt;.json and .md (and direct-latency.png).
 */
public final class Bench {
  static final List<String> SCENARIOS = List.of("connections", "direct", "cluster", "fanout", "history", "read", "typing",
    "inbox", "storm", "edits", "sync");
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String RUN = Long.toString(System.currentTimeMillis() % 10_000_000, 36);
  private static final AtomicInteger STEPS = new AtomicInteger();

  final Sizes sizes;
  private final BenchServer server;
  final Gen gen;
  private String passwordHash;
  /** This run's server settings, for a server started in a second JVM; and that server's relay port. */
  JsonObject serverOverrides = new JsonObject();
  private int relayPortOfProcess;
  /** Set while another load (typists) keeps frames coming: a step then does not wait for a quiet moment. */
  private volatile boolean otherLoadRunning;
  /** Where users, tokens and sockets go: the in-process server, or the separate one of {@code connections}. */
  Target target;

  record Target(io.vertx.sqlclient.Pool sql, int chatPort, int presencePort, io.chatpresence.server.auth.Tokens tokens) {
  }

  private Bench(Sizes sizes, BenchServer server, Gen gen) {
    this.sizes = sizes;
    this.server = server;
    this.gen = gen;
    this.target = new Target(server.sql, server.chatPort, server.presencePort, server.tokens);
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    String scenario = args.length > 0 ? args[0] : "all";
    boolean quick = List.of(args).contains("--quick");
    Path out = Path.of(System.getProperty("bench.results", "bench/results"));
    run(scenario, quick ? Sizes.quick() : Sizes.full(), out);
    System.exit(0);
  }

  /** Runs one scenario (or all) and writes its results; returns them by scenario. */
  public static JsonObject run(String scenario, Sizes sizes, Path out) throws IOException {
    List<String> which = "all".equals(scenario) ? SCENARIOS : List.of(scenario);
    for (String s : which) {
      if (!SCENARIOS.contains(s)) {
        throw new IllegalArgumentException("unknown scenario " + s + "; one of " + SCENARIOS + " or all");
      }
    }
    Files.createDirectories(out);
    JsonObject all = new JsonObject();
    for (String s : which) {
      System.out.println("== " + s + " ==");
      JsonObject overrides = new JsonObject();
      if ("connections".equals(s)) {
        overrides.put("MAX_SOCKETS_PER_USER", 10);
      }
      if ("inbox".equals(s)) {
        // one user asks 200 times a second from a few sockets: the inbox is measured, not the frame rate limit
        overrides.put("RATE_PER_SECOND", 1_000.0).put("RATE_BURST", 1_000);
      }
      if ("fanout".equals(s)) {
        // a member's queue may grow while the generator (same cores) falls behind; cut sockets are reported
        overrides.put("MAX_WRITE_QUEUE_BYTES", 8 * 1024 * 1024);
      }
      // -Dbench.server.KEY=value: any server setting (ConfigKeys), e.g. -Dbench.server.DB_POOL_SIZE=32
      for (String key : System.getProperties().stringPropertyNames()) {
        if (key.startsWith("bench.server.")) {
          String value = System.getProperty(key);
          overrides.put(key.substring("bench.server.".length()),
            value.matches("-?\\d+") ? (Object) Long.valueOf(value) : value);
        }
      }
      if (!overrides.isEmpty()) {
        System.out.println("  server settings: " + overrides.encode());
      }
      try (BenchServer server = BenchServer.start(overrides, "cluster".equals(s) ? 2 : 1);
           Gen gen = new Gen(Math.max(1, Runtime.getRuntime().availableProcessors()))) {
        server.pgStats().prepareWal(sizes.walMegabytes());
        Bench bench = new Bench(sizes, server, gen);
        bench.serverOverrides = overrides;
        JsonObject result = new JsonObject()
          .put("scenario", s)
          .put("date", Instant.now().toString())
          .put("machine", Report.machine())
          .put("sizes", Report.sizes(sizes))
          .put("serverOverrides", overrides);
        switch (s) {
          case "connections" -> result.put("result", bench.connections());
          case "direct" -> result.put("result", bench.direct());
          case "cluster" -> result.put("result", bench.cluster());
          case "fanout" -> result.put("result", bench.fanout());
          case "history" -> result.put("result", bench.history());
          case "read" -> result.put("result", bench.read());
          case "typing" -> result.put("result", bench.typing());
          case "inbox" -> result.put("result", bench.inbox());
          case "storm" -> result.put("result", bench.storm());
          case "edits" -> result.put("result", bench.edits());
          case "sync" -> result.put("result", new SyncBench(bench).run());
          default -> throw new IllegalStateException(s);
        }
        Report.write(out, s, result);
        all.put(s, result);
      }
    }
    return all;
  }

  // ---- connections ----------------------------------------------------------------------------------

  /**
   * The server in a separate JVM (its own open-files limit, and memory figures that are the server's alone):
   * heap of live objects after a full GC ({@code jcmd GC.class_histogram}) and VmRSS of that process.
   */
  private JsonObject connections() {
    // an identity provider beside the built-in tokens: the same sockets once more with its RS256 tokens
    BenchIdentityProvider idp = new BenchIdentityProvider(gen.vertx);
    JsonObject saved = serverOverrides;
    serverOverrides = saved.copy().mergeIn(idp.serverConfig());
    try {
      // -Dbench.relayFirst=true: the relay's pass first, on a server process of its own that nothing warmed, with
      // this JVM's generator as cold as it is for the product's first pass in a run without it (the like-for-like
      // figure for that pass); the product's passes then run as always, on a second fresh server process
      JsonObject relayFirst = Boolean.getBoolean("bench.relayFirst")
        ? againstServerProcess("connections (relay first)",
            pid -> relayConnections(pid, relayPortOfProcess, 2 * connectionUsers(), 0))
        : null;
      return againstServerProcess("connections", pid -> {
        JsonObject product = connectionsAgainst(pid);
        if (relayFirst != null) {
          product.put("relayFirstOnFreshServer", relayFirst);
        }
        // the first pass runs on a fresh server JVM and the generator's first connections (the JIT compiles Netty,
        // Vert.x and the AUTH path meanwhile), the relay's last, on warm ones: the same built-in tokens once more, on
        // the warm server, are the like-for-like figure for it (-Dbench.relayFirst=true: for the first pass)
        JsonObject warm = builtInConnections(product.getInteger("users"));
        product.put("warmBuiltIn", warm);
        JsonObject provider = providerConnections(idp, product.getInteger("users"));
        provider.put("ratioToBuiltIn", provider.getDouble("connectAuthPerSecond") / product.getDouble("connectAuthPerSecond"));
        System.out.printf("  provider tokens / built-in tokens, connect+AUTH per second: %.2f%n",
          provider.getDouble("ratioToBuiltIn"));
        product.put("providerTokens", provider);
        product.mergeIn(relayConnections(pid, relayPortOfProcess, product.getInteger("sockets"), 5_000));
        double relay = product.getDouble("relayConnectAuthPerSecond");
        product.put("ratioColdToRelay", product.getDouble("connectAuthPerSecond") / relay)
          .put("ratioWarmToRelay", warm.getDouble("connectAuthPerSecond") / relay)
          .put("ratioProviderToRelay", provider.getDouble("connectAuthPerSecond") / relay);
        System.out.printf("  connect+AUTH / relay: first pass (fresh JVM) %.2f, built-in tokens warm %.2f, provider "
          + "tokens %.2f%n", product.getDouble("ratioColdToRelay"), product.getDouble("ratioWarmToRelay"),
          product.getDouble("ratioProviderToRelay"));
        if (relayFirst != null) {
          // no ratio: the generator was cold for the relay's first pass and warm for the product's; the like-for-like
          // pair is this relay figure and the product's first pass of a run without the flag
          System.out.printf("  first passes, each on a fresh server: relay %,.0f/s (the generator cold), product "
            + "%,.0f/s (the generator warmed by the relay's)%n", relayFirst.getDouble("relayConnectAuthPerSecond"),
            product.getDouble("connectAuthPerSecond"));
        }
        return product;
      });
    } finally {
      serverOverrides = saved;
      idp.close();
    }
  }

  /** As many new users as the first pass, each with a chat and a presence socket, built-in tokens, on the warm server. */
  private JsonObject builtInConnections(int n) {
    List<String> names = bulkUsers("connw", n);
    return connectPass(names, name -> target.tokens().issue(name).token(), "built-in tokens, warm server",
      "HS256 tokens as the first pass, new users, run after it on the same (now warm) server");
  }

  /**
   * As many users as the built-in pass, their accounts already made by the provider (as after their first
   * sign-in), each with a chat and a presence socket authenticated with an RS256 provider token (keys cached).
   */
  private JsonObject providerConnections(BenchIdentityProvider idp, int n) {
    List<String> names = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      names.add("sso" + RUN + "_" + i);
    }
    await(target.sql().preparedQuery("INSERT INTO users (username, issuer) SELECT u, $2 FROM unnest($1::text[]) u")
      .execute(Tuple.of(names.toArray(new String[0]), idp.issuer())));
    return connectPass(names, idp::token, "provider tokens",
      "RS256 (2048-bit) tokens verified with the provider's cached key; run after the built-in pass");
  }

  /** A chat and a presence socket for each of {@code names} with {@code tokenOf}'s token, timed, then closed. */
  private JsonObject connectPass(List<String> names, java.util.function.Function<String, String> tokenOf, String label,
                                 String note) {
    List<Gen.Spec> specs = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String token = tokenOf.apply(names.get(i));
      int shard = i % gen.shards.size();
      specs.add(new Gen.Spec(shard, target.chatPort(), names.get(i), token));
      specs.add(new Gen.Spec(shard, target.presencePort(), names.get(i), token));
    }
    long t0 = System.nanoTime();
    List<Gen.Sock> socks = gen.connectAll(specs, 500, "connect+AUTH (" + label + ")");
    double seconds = (System.nanoTime() - t0) / 1e9;
    int count = socks.size();
    System.out.printf("  %s: %,d sockets in %.2f s: %,.0f sockets/s%n", label, count, seconds, count / seconds);
    gen.closeAll(socks);
    return new JsonObject().put("sockets", count).put("users", names.size()).put("seconds", seconds)
      .put("connectAuthPerSecond", count / seconds).put("note", note);
  }


  /**
   * Runs {@code body} against the product started alone in a second JVM ({@link ServerMain}, with this run's
   * server settings), which has its own open-files limit: each side holds one descriptor per socket, not two.
   */
  private JsonObject againstServerProcess(String scenario, java.util.function.LongFunction<JsonObject> body) {
    String jvm = System.getProperty("bench.serverJvm", "-Xmx2g -XX:+UseParallelGC")
      + (Boolean.getBoolean("bench.nmt") ? " -XX:NativeMemoryTracking=summary" : "");
    Target before = target;
    String hashBefore = passwordHash;
    io.vertx.sqlclient.Pool sql = null;
    try (ChildJvm child = ChildJvm.start("server", jvm, ServerMain.class, List.of(serverOverrides.encode()))) {
      JsonObject info = child.expect("READY", 120);
      long pid = info.getLong("pid");
      sql = pool(info.getString("PG_URL"));
      target = new Target(sql, info.getInteger("CHAT_PORT"), info.getInteger("PRESENCE_PORT"), benchTokens());
      passwordHash = null;
      relayPortOfProcess = info.getInteger("RELAY_PORT");
      System.out.println("  server process " + pid + " on ports " + target.chatPort() + "/" + target.presencePort());
      return body.apply(pid);
    } catch (RuntimeException e) {
      throw new IllegalStateException(scenario + ": " + e, e);
    } finally {
      target = before;
      passwordHash = hashBefore;
      if (sql != null) {
        await(sql.close());
      }
    }
  }

  /** A small pool of this JVM on a server process's database. */
  private io.vertx.sqlclient.Pool pool(String pgUrl) {
    return io.vertx.pgclient.PgBuilder.pool().with(new io.vertx.sqlclient.PoolOptions().setMaxSize(2))
      .connectingTo(io.chatpresence.server.db.Pools.connectOptions(pgUrl)).using(gen.vertx).build();
  }

  /** Tokens signed with the benchmark servers' secret, issued in this JVM. */
  private io.chatpresence.server.auth.Tokens benchTokens() {
    return await(io.chatpresence.server.auth.Tokens.create(gen.vertx,
      io.chatpresence.server.config.ConfigKeys.defaults().put("JWT_SECRET", BenchServer.SECRET)));
  }

  private JsonObject connectionsAgainst(long pid) {
    int n = connectionUsers();
    List<String> names = bulkUsers("conn", n);
    List<Gen.Spec> specs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String token = target.tokens().issue(names.get(i)).token();
      int shard = i % gen.shards.size();
      specs.add(new Gen.Spec(shard, target.chatPort(), names.get(i), token));
      specs.add(new Gen.Spec(shard, target.presencePort(), names.get(i), token));
    }
    Memory before = Memory.of(pid);
    // -Dbench.nmt=true: the growth of the server's native memory (Native Memory Tracking), printed
    boolean nmt = Boolean.getBoolean("bench.nmt");
    if (nmt) {
      jcmd(pid, "VM.native_memory", "baseline");
    }
    System.out.printf("  before: heap after GC %,d KB, direct %,d KB, RSS %,d KB%n",
      before.heap / 1024, before.direct / 1024, before.rss / 1024);
    long t0 = System.nanoTime();
    List<Gen.Sock> socks = gen.connectAll(specs, 500, "connect+AUTH");
    double seconds = (System.nanoTime() - t0) / 1e9;
    Memory after = Memory.of(pid);
    int count = socks.size();
    if (nmt) {
      jcmd(pid, "VM.native_memory", "summary.diff");
    }
    String dump = System.getProperty("bench.heapDump");
    if (dump != null) {
      // -Dbench.heapDump=FILE: the server's heap with the sockets open, for a look at who holds what
      jcmd(pid, "GC.heap_dump", Path.of(dump).toAbsolutePath().toString());
    }
    System.out.printf("  %,d sockets in %.2f s: %,.0f sockets/s; heap after GC %,d KB, direct %,d KB, RSS %,d KB%n",
      count, seconds, count / seconds, after.heap / 1024, after.direct / 1024, after.rss / 1024);
    // the sockets held open and idle (issue 17: what the WebSocket pings cost): the server's CPU over the
    // hold (from /proc: user + system time) and the sockets lost meanwhile (clients answer pings by themselves)
    long idleSeconds = Long.getLong("bench.idleSeconds", n >= 1_000 ? 45 : 2);
    long closedBeforeIdle = gen.closedUnexpectedly.get();
    double cpuBefore = cpuSeconds(pid);
    long idleStart = System.nanoTime();
    pause(idleSeconds * 1000);
    double idleWall = (System.nanoTime() - idleStart) / 1e9;
    double idleCpu = cpuSeconds(pid) - cpuBefore;
    long lostIdle = gen.closedUnexpectedly.get() - closedBeforeIdle;
    System.out.printf("  held idle %.0f s: server CPU %.2f s (%.2f %% of one core), %d sockets lost%n",
      idleWall, idleCpu, 100 * idleCpu / idleWall, lostIdle);
    JsonObject r = new JsonObject()
      .put("sockets", count)
      .put("users", n)
      .put("seconds", seconds)
      .put("connectAuthPerSecond", count / seconds)
      .put("heapBytesBefore", before.heap).put("heapBytesAfter", after.heap)
      .put("directBytesBefore", before.direct).put("directBytesAfter", after.direct)
      .put("rssBytesBefore", before.rss).put("rssBytesAfter", after.rss)
      .put("heapPerSocket", (after.heap - before.heap) / (double) count)
      .put("directPerSocket", (after.direct - before.direct) / (double) count)
      .put("heapPlusDirectPerSocket", (after.heap - before.heap + after.direct - before.direct) / (double) count)
      .put("rssPerSocket", (after.rss - before.rss) / (double) count)
      .put("serverPid", pid)
      .put("heapHistogramTopAfter", new JsonArray(after.top()))
      .put("note", "server alone in its own JVM: heap = live objects after a full GC (jcmd GC.class_histogram), "
        + "direct memory not measured separately (0; it is inside RSS), rss = VmRSS of the server process")
      .put("closedUnexpectedly", gen.closedUnexpectedly.get())
      .put("idleSeconds", idleWall)
      .put("idleServerCpuSeconds", idleCpu)
      .put("idleServerCpuPercentOfCore", 100 * idleCpu / idleWall)
      .put("idleSocketsLost", lostIdle)
      .put("pingIntervalMs", serverOverrides.getValue("PING_INTERVAL_MS", 20_000L));
    gen.closeAll(socks);
    return r;
  }

  /** -Dbench.connectionUsers=N: fewer (or more) users than the scenario's size, e.g. while iterating. */
  private int connectionUsers() {
    return Integer.getInteger("bench.connectionUsers", sizes.connectionUsers());
  }

  /** User plus system CPU time of a process so far, in seconds (/proc/PID/stat, clock ticks of 1/100 s). */
  private static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after the command: state(0) ... utime(11) stime(12)
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The baseline for {@code connections}: as many sockets to the bare relay in the same server process (its
   * AUTH checks nothing and keeps a map entry per socket): what Vert.x itself costs per socket, and how fast
   * this machine can open and AUTH WebSockets at all with the generator on the same cores.
   */
  private JsonObject relayConnections(long pid, int relayPort, int count, long settleMillis) {
    List<Gen.Spec> specs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      specs.add(new Gen.Spec(i % gen.shards.size(), relayPort, "relay" + i, "relay" + i));
    }
    // after the product's passes: their closed sockets leave state until presence's grace (3 s) ends
    pause(settleMillis);
    Memory before = Memory.of(pid);
    long t0 = System.nanoTime();
    List<Gen.Sock> socks = gen.connectAll(specs, 500, "relay connect+AUTH");
    double seconds = (System.nanoTime() - t0) / 1e9;
    Memory after = Memory.of(pid);
    System.out.printf("  relay: %,d sockets in %.2f s: %,.0f sockets/s; heap %,.0f B/socket, RSS %,.0f B/socket%n",
      socks.size(), seconds, socks.size() / seconds, (after.heap - before.heap) / (double) socks.size(),
      (after.rss - before.rss) / (double) socks.size());
    JsonObject r = new JsonObject()
      .put("relayConnectAuthPerSecond", socks.size() / seconds)
      .put("relayHeapPerSocket", (after.heap - before.heap) / (double) socks.size())
      .put("relayRssPerSocket", (after.rss - before.rss) / (double) socks.size());
    gen.closeAll(socks);
    return r;
  }

  private static void jcmd(long pid, String... command) {
    List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
      Long.toString(pid)));
    line.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(line).inheritIO().start();
      p.waitFor(300, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---- direct (and the relay baseline) -------------------------------------------------------------

  private JsonObject direct() {
    JsonObject r = pairSweeps(sizes.directRates(), Boolean.parseBoolean(System.getProperty("bench.relay", "true")),
      List.of(new Leg("product", "product", target.chatPort(), target.chatPort())));
    return r.put("closedLoop", closedLoop(target.chatPort(), target.chatPort()));
  }

  /**
   * The reconnect storm ({@link Storm}): -Dbench.stormUsers (10,000; quick 200) users, each a chat and a presence
   * socket. A process may hold 20,000 open files here, fewer than the 20,000 sockets on each side, so the
   * product runs as two clustered server processes (chat, which starts the database, and presence: the shape of
   * the k8s deployments) and the users are split over two generator processes ({@link StormWorker}). Times are
   * from the moment both workers were told to reconnect to the last socket authenticated and the last contact
   * online, on the machine's monotonic clock.
   */
  private JsonObject storm() {
    int n = Integer.getInteger("bench.stormUsers", sizes.connectionUsers() >= 1_000 ? 10_000 : 200);
    String jvm = System.getProperty("bench.serverJvm", "-Xms2g -Xmx2g -XX:+UseParallelGC");
    String cluster = "chat-bench-storm-" + java.util.UUID.randomUUID();
    Target before = target;
    String hashBefore = passwordHash;
    List<ChildJvm> children = new ArrayList<>();
    io.vertx.sqlclient.Pool sql = null;
    try {
      ChildJvm chat = start(children, "chat", jvm, ServerMain.class, List.of(serverOverrides.encode(), "chat", cluster));
      JsonObject chatInfo = chat.expect("READY", 120);
      ChildJvm presence = start(children, "presence", jvm, ServerMain.class,
        List.of(serverOverrides.encode(), "presence", cluster, chatInfo.getString("PG_URL")));
      JsonObject presenceInfo = presence.expect("READY", 120);
      sql = pool(chatInfo.getString("PG_URL"));
      target = new Target(sql, chatInfo.getInteger("CHAT_PORT"), presenceInfo.getInteger("PRESENCE_PORT"), benchTokens());
      passwordHash = null;
      System.out.println("  chat process " + chatInfo.getLong("pid") + " on port " + target.chatPort()
        + ", presence process " + presenceInfo.getLong("pid") + " on port " + target.presencePort());
      List<String> names = bulkUsers("st", n);
      List<String> a = new ArrayList<>();
      List<String> b = new ArrayList<>();
      for (int[] pair : Storm.ringChats(n)) {
        String x = names.get(pair[0]);
        String y = names.get(pair[1]);
        a.add(x.compareTo(y) < 0 ? x : y);
        b.add(x.compareTo(y) < 0 ? y : x);
      }
      await(target.sql().preparedQuery("INSERT INTO conversations (kind, external_id, user_a, user_b) "
        + "SELECT 'C', 'st_' || a || '_' || b, a, b FROM unnest($1::text[], $2::text[]) AS t(a, b) ON CONFLICT DO NOTHING")
        .execute(Tuple.tuple().addArrayOfString(a.toArray(new String[0])).addArrayOfString(b.toArray(new String[0]))));
      // the statistics of a database in use (see PgStats.analyze): the servers plan their first lookups after this
      Path pgDir = Path.of(chatInfo.getString("PG_DIR"));
      PgStats pg = new PgStats(target.sql(), pgDir);
      pg.analyze();
      String stem = names.get(0).substring(0, names.get(0).length() - 1);
      List<ChildJvm> workers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        workers.add(start(children, "storm-worker-" + w, System.getProperty("bench.workerJvm", "-Xms1g -Xmx1g -XX:+UseParallelGC"),
          StormWorker.class, List.of(String.valueOf(target.chatPort()), String.valueOf(target.presencePort()), stem,
            String.valueOf(n), String.valueOf(w * n / 2), String.valueOf((w + 1) * n / 2), "250")));
      }
      for (ChildJvm w : workers) {
        w.expect("READY", 120);
      }
      JsonObject first = Storm.merge("first connect (500 at a time)", tellAll(workers, "FIRST", "FIRST", 360));
      // a node dies after the survivors have run a while: one storm first to warm them (the JIT compiled 3-3.4 s of
      // each server's CPU in the first storm after the first connect), then the storm that is measured
      tellAll(workers, "CUT", "CUT", 360);
      JsonObject warmup = Storm.merge("warm-up storm (all at once)", tellAll(workers, "GO", "STORM", 360));
      tellAll(workers, "CUT", "CUT", 360);
      pg.resetStatements();
      double[] cpu = stormCpu(chat, presence, workers, pgDir);
      long go = System.nanoTime();
      JsonObject reconnect = Storm.merge("storm (all at once)", go, tellAll(workers, "GO", "STORM", 360));
      double[] used = stormCpu(chat, presence, workers, pgDir);
      for (int i = 0; i < used.length; i++) {
        used[i] -= cpu[i];
      }
      // what each side used while the storm ran: which one the two cores went to
      System.out.printf("  CPU seconds during the storm: chat %.1f, presence %.1f, generator workers %.1f, PostgreSQL "
        + "%.1f; the machine busy %.1f of %.1f; the servers %.0f us per socket%n", used[0], used[1], used[2], used[3],
        used[4], used[4] + used[5], (used[0] + used[1]) * 1e6 / (2.0 * n));
      System.out.printf("    of the servers' CPU, the JIT compiler's and the collector's: chat %.1f and %.1f, presence "
        + "%.1f and %.1f%n", used[6], used[7], used[8], used[9]);
      JsonArray statements = pg.topStatements();
      for (int i = 0; i < Math.min(3, statements.size()); i++) {
        JsonObject st = statements.getJsonObject(i);
        System.out.printf("    PostgreSQL: %,d calls, %,d rows, %.0f ms: %s%n", st.getLong("calls"), st.getLong("rows"),
          st.getDouble("totalMs"), st.getString("query").replaceAll("\\s+", " ").substring(0,
            Math.min(140, st.getString("query").replaceAll("\\s+", " ").length())));
      }
      reconnect.put("statements", statements);
      reconnect.put("cpuSeconds", new JsonObject().put("chat", used[0]).put("presence", used[1])
        .put("workers", used[2]).put("postgres", used[3]).put("machineBusy", used[4]).put("machineIdle", used[5])
        .put("chatJit", used[6]).put("chatGc", used[7]).put("presenceJit", used[8]).put("presenceGc", used[9])
        .put("serverMicrosPerSocket", (used[0] + used[1]) * 1e6 / (2.0 * n)));
      return new JsonObject().put("firstConnect", first).put("warmupStorm", warmup).put("storm", reconnect).put("contactsPerUser", Storm.CONTACTS)
        .put("processes", "chat and presence servers clustered in two JVMs, two generator JVMs");
    } finally {
      target = before;
      passwordHash = hashBefore;
      if (sql != null) {
        await(sql.close());
      }
      // workers first (their sockets), then presence, then chat (which holds the database)
      for (int i = children.size() - 1; i >= 0; i--) {
        children.get(i).close();
      }
    }
  }

  private static final String[] JIT_THREADS = {"C1 CompilerThre", "C2 CompilerThre"};
  private static final String[] GC_THREADS = {"GC Thread", "VM Thread"};

  /**
   * CPU seconds so far: chat, presence, the workers together, PostgreSQL, the machine busy, the machine idle; then
   * of chat's, the JIT compiler's and the collector's (with safepoints); the same of presence's.
   */
  private static double[] stormCpu(ChildJvm chat, ChildJvm presence, List<ChildJvm> workers, Path pgDir) {
    double[] machine = ProcCpu.machine();
    return new double[] {ProcCpu.seconds(chat.pid()), ProcCpu.seconds(presence.pid()),
      workers.stream().mapToDouble(w -> ProcCpu.seconds(w.pid())).sum(), PgCpu.seconds(pgDir), machine[0], machine[1],
      ProcCpu.threadSeconds(chat.pid(), JIT_THREADS), ProcCpu.threadSeconds(chat.pid(), GC_THREADS),
      ProcCpu.threadSeconds(presence.pid(), JIT_THREADS), ProcCpu.threadSeconds(presence.pid(), GC_THREADS)};
  }

  private static ChildJvm start(List<ChildJvm> children, String name, String jvm, Class<?> main, List<String> args) {
    ChildJvm child = ChildJvm.start(name, jvm, main, args);
    children.add(child);
    return child;
  }

  /** Gives every worker the order, then collects their answers. */
  private static List<JsonObject> tellAll(List<ChildJvm> workers, String order, String answer, int seconds) {
    workers.forEach(w -> w.tell(order));
    List<JsonObject> answers = new ArrayList<>();
    for (ChildJvm w : workers) {
      answers.add(w.expect(answer, seconds));
    }
    return answers;
  }

  /**
   * The closed loop ({@link Saturation}) on pairs of its own: -Dbench.closedPairs (default 50) senders keeping
   * -Dbench.window (32) messages each in flight. Senders connect to {@code senderPort}, recipients to
   * {@code recipientPort}.
   */
  private JsonObject closedLoop(int senderPort, int recipientPort) {
    int pairs = Integer.getInteger("bench.closedPairs", 50);
    List<Gen.Spec> specs = new ArrayList<>();
    for (int i = 0; i < 2 * pairs; i++) {
      String name = "cl" + RUN + "_" + i;
      specs.add(new Gen.Spec((i / 2) % gen.shards.size(), i % 2 == 0 ? senderPort : recipientPort, name, register(name), null));
    }
    List<Gen.Sock> socks = gen.connectAll(specs, 200, "closed-loop sockets");
    JsonObject r = new Saturation(gen, server.pgStats())
      .run(socks, Integer.getInteger("bench.window", 32), sizes.warmupSeconds(), sizes.stepSeconds());
    gen.closeAll(socks);
    return r;
  }

  /**
   * {@code direct} on two clustered nodes: every pair's sender on node A and recipient on node B, so every
   * delivery crosses the event bus between them; then the same pairs with both ends on node A, for reference
   * (the relay only with -Dbench.relay=true: {@code direct} already relates one node to it).
   */
  private JsonObject cluster() {
    int a = server.nodes.get(0).chatPort();
    int b = server.nodes.get(1).chatPort();
    JsonObject r = pairSweeps(sizes.clusterRates(), Boolean.getBoolean("bench.relay"),
      List.of(new Leg("acrossNodes", "across nodes", a, b), new Leg("oneNode", "one node", a, a)));
    double oneNode = r.getDouble("oneNodeMaxDeliveredPerSecond");
    r.put("nodes", server.nodes.size())
      .put("ratioToOneNode", oneNode > 0 ? r.getDouble("acrossNodesMaxDeliveredPerSecond") / oneNode : 0);
    System.out.printf("  across nodes / one node: %.2f%n", r.getDouble("ratioToOneNode"));
    return r.put("closedLoop", closedLoop(a, b));
  }

  /**
   * A sweep of 1:1 pairs whose senders connect to {@code senderPort} and recipients to {@code recipientPort}.
   * {@code mark}: recipients mark each message read; {@code edits}: senders edit or delete every tenth message.
   */
  record Leg(String key, String label, int senderPort, int recipientPort, boolean mark, boolean edits) {
    Leg(String key, String label, int senderPort, int recipientPort) {
      this(key, label, senderPort, recipientPort, false, false);
    }

    Leg(String key, String label, int senderPort, int recipientPort, boolean mark) {
      this(key, label, senderPort, recipientPort, mark, false);
    }

    String features() {
      return mark ? "[\"read\"]" : edits ? "[\"edit\"]" : null;
    }
  }

  /**
   * The bare relay (when {@code withRelay}) and each leg, each on pairs of its own users, all connected at
   * once and swept together (see {@link #sweep}); the ratio to the relay is the first leg's.
   */
  private JsonObject pairSweeps(List<Integer> rates, boolean withRelay, List<Leg> legs) {
    return pairSweeps(rates, withRelay, legs, 0, 0);
  }

  /**
   * As above; then, with {@code rounds > 0}, {@code rounds} more steps of each leg at {@code roundRate}, the legs
   * alternating (A B A B ...), in {@code "rounds"}: one step's p99 is at the mercy of one stall, the median of
   * the rounds' differences is not.
   */
  private JsonObject pairSweeps(List<Integer> rates, boolean withRelay, List<Leg> legs, int roundRate, int rounds) {
    int pairs = sizes.directPairs();
    List<Leg> all = new ArrayList<>(legs);
    if (withRelay) {
      all.add(0, new Leg("relay", "relay", server.relayPort, server.relayPort));
    }
    List<List<Gen.Sock>> socks = new ArrayList<>();
    for (Leg leg : all) {
      boolean relay = "relay".equals(leg.key());
      List<Gen.Spec> specs = new ArrayList<>();
      for (int i = 0; i < 2 * pairs; i++) {
        String name = "d" + RUN + "_" + socks.size() + "_" + i;
        specs.add(new Gen.Spec((i / 2) % gen.shards.size(), i % 2 == 0 ? leg.senderPort() : leg.recipientPort(),
          name, relay ? name : register(name), leg.features()));
      }
      socks.add(gen.connectAll(specs, 200, leg.label() + " sockets"));
    }
    List<JsonArray> steps = sweep(all, socks, rates);
    JsonArray alternating = rounds > 0 ? rounds(all, socks, roundRate, rounds) : null;
    JsonObject r = new JsonObject().put("pairs", pairs)
      .put("relay", new JsonArray()).put("relayMaxDeliveredPerSecond", 0.0);
    for (int i = 0; i < all.size(); i++) {
      gen.closeAll(socks.get(i));
      r.put(all.get(i).key(), steps.get(i)).put(all.get(i).key() + "MaxDeliveredPerSecond", maxDelivered(steps.get(i)));
    }
    if (alternating != null) {
      r.put("rounds", alternating);
    }
    String first = legs.get(0).key();
    double relayMax = r.getDouble("relayMaxDeliveredPerSecond");
    r.put("ratioToRelay", relayMax > 0 ? r.getDouble(first + "MaxDeliveredPerSecond") / relayMax : 0);
    System.out.printf("  %s max %,.0f msg/s%s%n", legs.get(0).label(), r.getDouble(first + "MaxDeliveredPerSecond"),
      withRelay ? String.format(", relay max %,.0f msg/s, ratio %.2f", relayMax, r.getDouble("ratioToRelay")) : "");
    return r;
  }

  /** {@code rounds} steps of each leg at {@code rate}, alternating legs; each round's figures by leg key. */
  private JsonArray rounds(List<Leg> legs, List<List<Gen.Sock>> socks, int rate, int rounds) {
    JsonArray out = new JsonArray();
    for (int round = 1; round <= rounds; round++) {
      JsonObject figures = new JsonObject().put("round", round).put("offeredPerSecond", rate);
      StringBuilder line = new StringBuilder();
      for (int l = 0; l < legs.size(); l++) {
        JsonObject step = runDirectStep(pairsByShard(socks.get(l)), socks.get(l), rate, sizes.warmupSeconds(),
          sizes.stepSeconds(), legs.get(l).mark(), legs.get(l).edits());
        figures.put(legs.get(l).key(), step);
        line.append(String.format("%s%s p99 %.2f ms (p50 %.2f, delivered %,.0f/s%s)", l == 0 ? "" : ", ",
          legs.get(l).label(), step.getDouble("p99Ms"), step.getDouble("p50Ms"), step.getDouble("deliveredPerSecond"),
          step.getBoolean("allArrived") ? "" : ", not all arrived"));
      }
      System.out.printf("  round %d at %,d msg/s: %s%n", round, rate, line);
      out.add(figures);
    }
    return out;
  }

  /** A leg's sockets as pairs (even index sends to the odd one after it), by generator shard. */
  private List<List<Gen.Sock[]>> pairsByShard(List<Gen.Sock> legSocks) {
    List<List<Gen.Sock[]>> mine = new ArrayList<>();
    for (int i = 0; i < gen.shards.size(); i++) {
      mine.add(new ArrayList<>());
    }
    for (int i = 0; i + 1 < legSocks.size(); i += 2) {
      mine.get(legSocks.get(i).shard).add(new Gen.Sock[]{legSocks.get(i), legSocks.get(i + 1)});
    }
    return mine;
  }

  private static double maxDelivered(JsonArray steps) {
    double max = 0;
    for (int i = 0; i < steps.size(); i++) {
      max = Math.max(max, steps.getJsonObject(i).getDouble("deliveredPerSecond"));
    }
    return max;
  }

  /**
   * Offers each rate in turn to each leg's pairs (even index sends to the odd one after it), the legs one after
   * another at each rate, so that they meet the same conditions on a shared machine; a leg stops once saturated.
   */
  private List<JsonArray> sweep(List<Leg> legs, List<List<Gen.Sock>> socks, List<Integer> sizeRates) {
    List<List<List<Gen.Sock[]>>> byShard = new ArrayList<>();
    List<JsonArray> steps = new ArrayList<>();
    for (int l = 0; l < legs.size(); l++) {
      List<Gen.Sock> legSocks = socks.get(l);
      List<List<Gen.Sock[]>> mine = pairsByShard(legSocks);
      byShard.add(mine);
      steps.add(new JsonArray());
      // warm-up, not recorded: JIT, pools, the pairs' chats created
      runDirectStep(mine, legSocks, warmUpRate(sizeRates.get(0)), sizes.warmupSeconds(), warmUpSeconds(), legs.get(l).mark(),
        legs.get(l).edits());
    }
    // the warm-up created every pair's chat: plan on statistics that know them (PgStats.analyze)
    server.pgStats().analyze();
    String only = System.getProperty("bench.rates");
    List<Integer> rates = only == null ? sizeRates
      : java.util.Arrays.stream(only.split(",")).map(String::trim).map(Integer::valueOf).toList();
    boolean[] saturated = new boolean[legs.size()];
    for (int rate : rates) {
      for (int l = 0; l < legs.size(); l++) {
        if (saturated[l]) {
          continue;
        }
        String label = legs.get(l).label();
        JsonObject figures = runDirectStep(byShard.get(l), socks.get(l), rate, sizes.warmupSeconds(), sizes.stepSeconds(),
          legs.get(l).mark(), legs.get(l).edits());
        boolean drained = figures.getBoolean("allArrived");
        System.out.printf("  %s offered %,d msg/s: delivered %,.0f msg/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms%s%n",
          label, rate, figures.getDouble("deliveredPerSecond"), figures.getDouble("p50Ms"),
          figures.getDouble("p99Ms"), figures.getDouble("p999Ms"), drained ? "" : " (not all arrived)");
        steps.get(l).add(figures);
        if (!drained || figures.getDouble("deliveredPerSecond") < 0.9 * rate) {
          System.out.println("  " + label + " saturated: its sweep stops here");
          saturated[l] = true;
        }
      }
    }
    return steps;
  }

  /**
   * The warm-up before the measured steps, not recorded: the JIT compiles the hot paths during the first half
   * minute or so (its compiler threads then take up to a core of the two here, and the first measured step's p99
   * was 90-230 ms where the same rate later measured 11-28 ms: docs/performance.md), pools fill, the chats exist.
   * Full sizes: {@link Sizes#jitWarmupSeconds()} at {@link Sizes#jitWarmupRate()}; quick: one second at the first rate.
   */
  private int warmUpRate(int firstRate) {
    return sizes.jitWarmupSeconds() > 0 ? sizes.jitWarmupRate() : firstRate;
  }

  private int warmUpSeconds() {
    return Math.max(1, sizes.jitWarmupSeconds());
  }

  /**
   * One step of 1:1 pairs at {@code rate}. With {@code mark}, every recipient answers each message with MARK_READ
   * of it as it arrives (the {@code read} scenario). Also reports PostgreSQL's CPU per message sent in the step.
   */
  private JsonObject runDirectStep(List<List<Gen.Sock[]>> byShard, List<Gen.Sock> socks, int rate, int warmupSeconds,
                                   int seconds, boolean mark) {
    return runDirectStep(byShard, socks, rate, warmupSeconds, seconds, mark, false);
  }

  /**
   * As above; with {@code edits}, each sender edits (new text) or deletes (alternately) every tenth of its
   * messages as its SUCCESS arrives: changes at 10 % of the message rate, told to the recipients (with
   * {@code edit}), which count them apart from the messages.
   */
  private JsonObject runDirectStep(List<List<Gen.Sock[]>> byShard, List<Gen.Sock> socks, int rate, int warmupSeconds,
                                   int seconds, boolean mark, boolean edits) {
    int shards = gen.shards.size();
    Step step = newStep(warmupSeconds, seconds);
    java.util.concurrent.atomic.AtomicLong changesSent = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong changesTold = new java.util.concurrent.atomic.AtomicLong();
    for (int i = 0; i < socks.size(); i++) {
      Gen.Sock s = socks.get(i);
      boolean recipient = i % 2 == 1;
      if (edits) {
        s.onText = recipient ? editRecipient(step, s, changesTold) : editingSender(step, s, changesSent);
        continue;
      }
      s.onText = mark && recipient ? text -> {
        step.received(s.shard, text, "\"content\":\"", false);
        if (text.startsWith("{\"type\":\"ONE_TO_ONE_CHAT\"")) {
          s.send("{\"type\":\"MARK_READ\",\"chatId\":\"" + field(text, "chatId") + "\",\"messageId\":\""
            + field(text, "messageId") + "\"}");
        }
      } : text -> step.received(s.shard, text, "\"content\":\"", false);
    }
    java.util.concurrent.atomic.AtomicLong sends = new java.util.concurrent.atomic.AtomicLong();
    PgStats pg = server.pgStats();
    PgStats.Reading pg0 = pg.read();
    gen.openLoop((double) rate / shards, step.start, step.end, (shard, k, intended) -> {
      List<Gen.Sock[]> mine = byShard.get(shard);
      Gen.Sock[] pair = mine.get((int) (k % mine.size()));
      step.sent(shard, intended);
      sends.incrementAndGet();
      pair[0].send("{\"type\":\"ONE_TO_ONE_CHAT\",\"to\":\"" + pair[1].name + "\",\"content\":\""
        + step.stamp(intended) + "\"}");
    });
    boolean drained = step.drain(1, System.nanoTime() + sizes.drainSeconds() * 1_000_000_000L);
    step.closed = true;
    if (!otherLoadRunning) {
      gen.waitQuiet(300, 30);
    }
    PgStats.Reading pg1 = pg.read();
    JsonObject perMessage = PgStats.perMessage(pg0, pg1, sends.get(), (pg1.nanos() - pg0.nanos()) / 1e9);
    System.out.println("    " + PgStats.line(perMessage));
    String stalls = step.stalls(5);
    double windowAtUptime = (ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L
      - (System.nanoTime() - step.measureFrom)) / 1e9;
    System.out.printf("    due times of the slow ones (window from JVM uptime %.1f s): %s%n", windowAtUptime, stalls);
    JsonObject figures = figures(step, rate, drained).mergeIn(perMessage).put("slowByDueTime", stalls)
      .put("pgCpuMsPerMessage", perMessage.getDouble("pgCpuUsPerMessage") / 1000);
    if (edits) {
      double stepSeconds = (step.end - step.start) / 1e9;
      figures.put("changesSentPerSecond", changesSent.get() / stepSeconds)
        .put("changesToldPerSecond", changesTold.get() / stepSeconds);
    }
    return figures;
  }

  /** A sender that edits or deletes every tenth message it was told was sent (alternately). */
  private static io.vertx.core.Handler<String> editingSender(Step step, Gen.Sock s, java.util.concurrent.atomic.AtomicLong sent) {
    long[] acknowledged = {0};
    return text -> {
      step.received(s.shard, text, "\"content\":\"", false); // errors are counted there
      if (text.startsWith("{\"type\":\"SUCCESS\",\"msg\":\"sent\"") && ++acknowledged[0] % 10 == 0) {
        String id = field(text, "messageId");
        s.send(acknowledged[0] % 20 == 0 ? "{\"type\":\"DELETE_MESSAGE\",\"messageId\":\"" + id + "\"}"
          : "{\"type\":\"EDIT_MESSAGE\",\"messageId\":\"" + id + "\",\"content\":\"edited\"}");
        sent.incrementAndGet();
      }
    };
  }

  /** A recipient with {@code edit}: messages are measured; MESSAGE_EDITED / MESSAGE_DELETED only counted. */
  private static io.vertx.core.Handler<String> editRecipient(Step step, Gen.Sock s, java.util.concurrent.atomic.AtomicLong told) {
    return text -> {
      if (text.startsWith("{\"type\":\"MESSAGE_")) {
        told.incrementAndGet();
      } else {
        step.received(s.shard, text, "\"content\":\"", false);
      }
    };
  }

  /** The value of a string field in an encoded frame, without parsing it (the generator reads many). */
  private static String field(String frame, String name) {
    int at = frame.indexOf("\"" + name + "\":\"");
    if (at < 0) {
      return "";
    }
    int from = at + name.length() + 4;
    return frame.substring(from, frame.indexOf('"', from));
  }

  // ---- edits (issue 13) -------------------------------------------------------------------------------

  /**
   * 1:1 pairs at the direct rates up to 5,000 msg/s (or -Dbench.rates), twice at each rate in the same run: pairs
   * that only send, and pairs (with {@code edit}) whose senders edit or delete every tenth message (changes at
   * 10 % of the load). Delivered msg/s and latency of the messages of each.
   */
  private JsonObject edits() {
    int port = target.chatPort();
    List<Integer> rates = sizes.directRates().stream().filter(x -> x <= 5_000).toList();
    JsonObject r = pairSweeps(rates, false, List.of(new Leg("plain", "no edits", port, port),
      new Leg("editing", "10 % edited or deleted", port, port, false, true)));
    double plain = r.getDouble("plainMaxDeliveredPerSecond");
    r.put("ratioEditingToPlain", plain > 0 ? r.getDouble("editingMaxDeliveredPerSecond") / plain : 0);
    JsonArray p = r.getJsonArray("plain");
    JsonArray e = r.getJsonArray("editing");
    for (int i = 0; i < Math.min(p.size(), e.size()); i++) {
      JsonObject a = p.getJsonObject(i);
      JsonObject b = e.getJsonObject(i);
      System.out.printf("  at %,.0f msg/s: without edits %,.0f msg/s p99 %.2f ms; with edits %,.0f msg/s p99 %.2f ms "
          + "(%,.0f changes/s sent, %,.0f told/s)%n", a.getDouble("offeredPerSecond"), a.getDouble("deliveredPerSecond"),
        a.getDouble("p99Ms"), b.getDouble("deliveredPerSecond"), b.getDouble("p99Ms"),
        b.getDouble("changesSentPerSecond"), b.getDouble("changesToldPerSecond"));
    }
    System.out.printf("  best delivered with edits / without: %.2f%n", r.getDouble("ratioEditingToPlain"));
    return r;
  }

  // ---- read, typing, inbox (issue 12) --------------------------------------------------------------

  /**
   * 1:1 pairs at the direct rates, twice at each rate: recipients that only receive, and recipients (with
   * {@code read}) that mark each message read as it arrives (senders with {@code read} get the receipts).
   * Delivered msg/s, latency, and PostgreSQL CPU per message of each.
   */
  private JsonObject read() {
    int port = target.chatPort();
    // -Dbench.readRounds: alternating no-marking / marking steps after the sweep (default 5; 1 quick), at 5,000
    // msg/s (issue 12's p99 comparison) or, when the sizes have no 5,000, their first rate
    int rounds = Integer.getInteger("bench.readRounds", sizes.directRates().contains(5_000) ? 5 : 1);
    int roundRate = sizes.directRates().contains(5_000) ? 5_000 : sizes.directRates().get(0);
    JsonObject r = pairSweeps(sizes.directRates(), false,
      List.of(new Leg("plain", "no marking", port, port), new Leg("marking", "marking", port, port, true)),
      roundRate, rounds);
    double plain = r.getDouble("plainMaxDeliveredPerSecond");
    r.put("ratioMarkingToPlain", plain > 0 ? r.getDouble("markingMaxDeliveredPerSecond") / plain : 0);
    JsonArray p = r.getJsonArray("plain");
    JsonArray m = r.getJsonArray("marking");
    for (int i = 0; i < Math.min(p.size(), m.size()); i++) {
      JsonObject a = p.getJsonObject(i);
      JsonObject b = m.getJsonObject(i);
      System.out.printf("  at %,.0f msg/s: p99 %.2f -> %.2f ms, PostgreSQL CPU %.3f -> %.3f ms per message%n",
        a.getDouble("offeredPerSecond"), a.getDouble("p99Ms"), b.getDouble("p99Ms"),
        a.getDouble("pgCpuMsPerMessage"), b.getDouble("pgCpuMsPerMessage"));
    }
    System.out.printf("  best delivered marking / plain: %.2f%n", r.getDouble("ratioMarkingToPlain"));
    JsonArray alternating = r.getJsonArray("rounds", new JsonArray());
    if (!alternating.isEmpty()) {
      double[] deltas = new double[alternating.size()];
      for (int i = 0; i < deltas.length; i++) {
        JsonObject round = alternating.getJsonObject(i);
        deltas[i] = round.getJsonObject("marking").getDouble("p99Ms") - round.getJsonObject("plain").getDouble("p99Ms");
      }
      double[] sorted = deltas.clone();
      java.util.Arrays.sort(sorted);
      double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
      r.put("roundsP99DeltaMs", new JsonArray(java.util.Arrays.stream(deltas).boxed().toList()))
        .put("roundsMedianP99DeltaMs", median);
      System.out.printf("  p99 marking - no marking at %,d msg/s over %d alternating rounds: %s ms; median %+.2f ms%n",
        roundRate, deltas.length, java.util.Arrays.stream(deltas).mapToObj(d -> String.format("%+.2f", d))
          .collect(java.util.stream.Collectors.joining(", ")), median);
    }
    return r;
  }

  /**
   * Typists in 1:1 chats (20 per direct pair: 2,000 full) sending typing:true every second, round robin, while
   * 1:1 pairs send at a rate; the same rate without the typists before, for the drop. Heap after GC with the
   * typists online but quiet, and while they type: the typing state per online user.
   */
  private JsonObject typing() {
    int port = target.chatPort();
    int typists = 20 * sizes.directPairs();
    List<String> names = bulkUsers("ty", typists);
    // their chats, made directly (a pair per two typists) with both read positions, like POST /api/chats
    await(target.sql().preparedQuery("WITH p AS (SELECT a, b, 'tychat_' || a AS id FROM unnest($1::text[], $2::text[]) x(a, b)), "
        + "c AS (INSERT INTO conversations (kind, external_id, user_a, user_b) SELECT 'C', id, least(a, b), greatest(a, b) FROM p "
        + "RETURNING id, user_a, user_b) "
        + "INSERT INTO read_positions (username, conversation_id) SELECT u, c.id FROM c, LATERAL (VALUES (c.user_a), (c.user_b)) v(u)")
      .execute(Tuple.of((Object) evens(names, 0), (Object) evens(names, 1))));
    List<Gen.Spec> specs = new ArrayList<>();
    for (int i = 0; i < typists; i++) {
      specs.add(new Gen.Spec((i / 2) % gen.shards.size(), port, names.get(i), target.tokens().issue(names.get(i)).token(),
        "[\"typing\"]"));
    }
    List<Gen.Sock> typing = gen.connectAll(specs, 200, "typist sockets");
    List<List<Gen.Sock>> typingByShard = new ArrayList<>();
    for (int i = 0; i < gen.shards.size(); i++) {
      typingByShard.add(new ArrayList<>());
    }
    java.util.concurrent.atomic.AtomicLong typingFrames = new java.util.concurrent.atomic.AtomicLong();
    java.util.Map<Gen.Sock, String> typingFrame = new java.util.HashMap<>();
    for (int i = 0; i < typing.size(); i++) {
      Gen.Sock s = typing.get(i);
      typingByShard.get(s.shard).add(s);
      s.onText = text -> typingFrames.incrementAndGet();
      typingFrame.put(s, "{\"type\":\"TYPING\",\"chatId\":\"tychat_" + names.get(i - i % 2) + "\",\"typing\":true}");
    }
    // the direct pairs beside them
    List<Gen.Spec> pairSpecs = new ArrayList<>();
    for (int i = 0; i < 2 * sizes.directPairs(); i++) {
      String name = "tyd" + RUN + "_" + i;
      pairSpecs.add(new Gen.Spec((i / 2) % gen.shards.size(), port, name, register(name)));
    }
    List<Gen.Sock> pairSocks = gen.connectAll(pairSpecs, 200, "direct sockets");
    List<List<Gen.Sock[]>> pairsByShard = new ArrayList<>();
    for (int i = 0; i < gen.shards.size(); i++) {
      pairsByShard.add(new ArrayList<>());
    }
    for (int i = 0; i + 1 < pairSocks.size(); i += 2) {
      pairsByShard.get(pairSocks.get(i).shard).add(new Gen.Sock[]{pairSocks.get(i), pairSocks.get(i + 1)});
    }
    // -Dbench.rates: the 1:1 rates beside the typists (default 5,000 and 10,000, or the first quick rate)
    String only = System.getProperty("bench.rates");
    List<Integer> rates = only != null
      ? java.util.Arrays.stream(only.split(",")).map(String::trim).map(Integer::valueOf).toList()
      : sizes.directRates().stream().filter(x -> x == 5_000 || x == 10_000).toList();
    if (rates.isEmpty()) {
      rates = List.of(sizes.directRates().get(0));
    }
    runDirectStep(pairsByShard, pairSocks, warmUpRate(rates.get(0)), sizes.warmupSeconds(), warmUpSeconds(), false);
    Memory quiet = Memory.now();
    JsonArray steps = new JsonArray();
    Memory busy = null;
    JsonObject typingState = new JsonObject();
    for (int rate : rates) {
      JsonObject without = runDirectStep(pairsByShard, pairSocks, rate, sizes.warmupSeconds(), sizes.stepSeconds(), false);
      long framesBefore = typingFrames.get();
      long typingStart = System.nanoTime();
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      Thread load = new Thread(() -> {
        long end = System.nanoTime() + (long) (sizes.warmupSeconds() * 2 + sizes.stepSeconds() + sizes.drainSeconds() + 5) * 1_000_000_000L;
        gen.openLoop((double) typists / gen.shards.size(), System.nanoTime(), end, (shard, k, intended) -> {
          if (stop.get()) {
            return;
          }
          List<Gen.Sock> mine = typingByShard.get(shard);
          Gen.Sock s = mine.get((int) (k % mine.size()));
          s.send(typingFrame.get(s));
        });
      }, "typing-load");
      otherLoadRunning = true;
      load.start();
      pause(sizes.warmupSeconds() * 1000L);
      if (busy == null) {
        busy = Memory.now();
        typingState = typingStateBytes();
      }
      JsonObject with = runDirectStep(pairsByShard, pairSocks, rate, sizes.warmupSeconds(), sizes.stepSeconds(), false);
      double seconds = (System.nanoTime() - typingStart) / 1e9;
      stop.set(true);
      otherLoadRunning = false;
      try {
        load.join(120_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      double forwarded = (typingFrames.get() - framesBefore) / seconds;
      double drop = 1 - with.getDouble("deliveredPerSecond") / without.getDouble("deliveredPerSecond");
      System.out.printf("  at %,d msg/s: without typing %,.0f msg/s p99 %.2f ms; with %,d typists %,.0f msg/s p99 %.2f ms "
          + "(drop %.1f %%); TYPING frames received %,.0f/s%n", rate, without.getDouble("deliveredPerSecond"),
        without.getDouble("p99Ms"), typists, with.getDouble("deliveredPerSecond"), with.getDouble("p99Ms"), drop * 100,
        forwarded);
      steps.add(new JsonObject().put("rate", rate).put("withoutTyping", without).put("withTyping", with)
        .put("throughputDrop", drop).put("typingFramesReceivedPerSecond", forwarded));
      gen.waitQuiet(300, 30);
    }
    long perUser = (busy.heap() - quiet.heap()) / typists;
    long stateBytes = typingState.getLong("bytes", 0L);
    System.out.printf("  heap after GC: %,d bytes quiet, %,d typing (%,d per typist, generator included); the typing "
        + "state itself (class histogram while typing): %s = %,d bytes, %,d per online user%n", quiet.heap(), busy.heap(),
      perUser, typingState.getJsonObject("classes", new JsonObject()).encode(), stateBytes, stateBytes / typists);
    gen.closeAll(typing);
    gen.closeAll(pairSocks);
    return new JsonObject().put("typists", typists).put("chats", typists / 2).put("typingPerTypistPerSecond", 1)
      .put("steps", steps).put("heapQuiet", quiet.heap()).put("heapTyping", busy.heap())
      .put("heapDifferencePerTypist", perUser).put("typingState", typingState)
      .put("typingStateBytesPerOnlineUser", stateBytes / typists);
  }

  /**
   * The typing and receipt state of the server (it runs in this JVM), from a class histogram of this process
   * (jcmd GC.class_histogram, after a full GC): the entries of TypingRelay and GroupReceipts, plus a HashMap node
   * (32 bytes) and a table slot (about 6 bytes at HashMap's load) for each map entry. Entries chained behind
   * another of the same user share its node; counting a node for each overstates a little.
   */
  private static JsonObject typingStateBytes() {
    try {
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(ProcessHandle.current().pid()), "GC.class_histogram").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(120, TimeUnit.SECONDS);
      JsonObject classes = new JsonObject();
      long bytes = 0;
      for (String line : out.split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length == 4 && (f[3].contains("TypingRelay$") || f[3].contains("GroupReceipts$"))) {
          long instances = Long.parseLong(f[1]);
          long own = Long.parseLong(f[2]);
          classes.put(f[3].substring(f[3].lastIndexOf('.') + 1), instances);
          bytes += own + instances * (32 + 6);
        }
      }
      return new JsonObject().put("classes", classes).put("bytes", bytes);
    } catch (IOException e) {
      return new JsonObject().put("error", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new JsonObject();
    }
  }

  private static String[] evens(List<String> names, int offset) {
    String[] out = new String[names.size() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = names.get(2 * i + offset);
    }
    return out;
  }

  /**
   * A user in many conversations (2,000 full: half chats, half groups; 5 messages each, 10,000 in all, seeded by
   * SQL the way the product stores them), asking GET_INBOX at a fixed rate from 8 sockets: the first page of 50,
   * then, separately, further pages (each request the page after a random one of the first 20 pages' cursors).
   */
  private JsonObject inbox() {
    // at least three pages, so that the further-pages run has cursors (quick sizes too)
    int conversations = Math.max(120, sizes.historyMessages() / 500);
    // -Dbench.inboxRate: requests per second (default 200; 40 quick)
    int rate = Integer.getInteger("bench.inboxRate", Math.max(20, sizes.historyRate() * 2 / 5));
    String me = "ib" + RUN + "_me";
    String token = register(me);
    List<String> partners = bulkUsers("ibp", conversations / 2);
    System.out.printf("  seeding %,d conversations with %,d messages%n", conversations, conversations * 5);
    await(target.sql().withTransaction(conn -> conn.preparedQuery(
        "WITH chats AS (INSERT INTO conversations (kind, external_id, user_a, user_b, last_seq) "
          + "SELECT 'C', 'ibc_' || p, least($1, p), greatest($1, p), 5 FROM unnest($2::text[]) p RETURNING id, user_a, user_b), "
          + "groups AS (INSERT INTO conversations (kind, external_id, name, owner, member_count, members_version, last_seq) "
          + "SELECT 'G', 'ibg_' || $1 || '_' || g, 'group ' || g, $1, 1, 1, 5 FROM generate_series(1, $3) g RETURNING id), "
          + "members AS (INSERT INTO group_members (conversation_id, username) SELECT id, $1 FROM groups), "
          + "pos AS (INSERT INTO read_positions (username, conversation_id, read_seq) "
          + "SELECT $1, id, (id % 6) FROM groups UNION ALL SELECT $1, id, (id % 6) FROM chats "
          + "UNION ALL SELECT CASE WHEN user_a = $1 THEN user_b ELSE user_a END, id, 5 FROM chats), "
          + "all_c AS (SELECT id, CASE WHEN user_a = $1 THEN user_b ELSE user_a END AS other FROM chats "
          + "UNION ALL SELECT id, $1 FROM groups) "
          + "INSERT INTO messages (conversation_id, seq, sender, content) "
          + "SELECT id, s, CASE WHEN s % 2 = 0 THEN $1 ELSE other END, 'inbox message ' || s FROM all_c, generate_series(1, 5) s "
          // ids increase with seq in each conversation, as when stored one by one; conversations interleave
          + "ORDER BY s, random()")
      .execute(Tuple.of(me, partners.toArray(new String[0]), conversations - partners.size()))
      .compose(r -> conn.preparedQuery("UPDATE conversations c SET activity = m.id FROM messages m "
        + "WHERE m.conversation_id = c.id AND m.seq = 5 AND (c.external_id LIKE 'ibc_%' OR c.external_id LIKE 'ibg_' || $1 || '%')")
        .execute(Tuple.of(me)))
      .compose(r -> conn.preparedQuery("UPDATE read_positions rp SET read_message_id = m.id FROM messages m "
        + "WHERE rp.username = $1 AND m.conversation_id = rp.conversation_id AND m.seq = rp.read_seq").execute(Tuple.of(me)))));
    await(target.sql().query("VACUUM ANALYZE").execute());
    await(target.sql().query("CHECKPOINT").execute());
    List<Gen.Spec> specs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      specs.add(new Gen.Spec(i % gen.shards.size(), target.chatPort(), me, token, "[\"read\"]"));
    }
    List<Gen.Sock> socks = gen.connectAll(specs, 8, "inbox sockets");
    // the cursors of the first pages, for the further-pages run
    List<String> cursors = new ArrayList<>();
    JsonObject first = inboxOnce(socks.get(0), null);
    long totalUnread = first.getLong("totalUnread");
    String next = first.getString("next");
    while (next != null && cursors.size() < 20) {
      cursors.add(next);
      next = inboxOnce(socks.get(0), next).getString("next");
    }
    // a fresh JVM compiles the inbox's paths (C2) in its first seconds, on the cores the pages need: the first
    // run is printed as the warm-up, the measured runs are those of a server that has answered pages before
    JsonObject warmup = inboxRun(socks, rate, List.of(""));
    printInbox("warm-up, first page", warmup);
    JsonObject firstPage = inboxRun(socks, rate, List.of(""));
    printInbox("first page", firstPage);
    JsonObject furtherPages = cursors.isEmpty() ? new JsonObject() : inboxRun(socks, rate, cursors);
    printInbox("further pages", furtherPages);
    System.out.printf("  inbox of %,d conversations (total unread %,d), %d req/s: first page p50 %.2f ms p99 %.2f ms; "
        + "further pages p50 %.2f ms p99 %.2f ms%n", conversations, totalUnread, rate,
      firstPage.getDouble("p50Ms"), firstPage.getDouble("p99Ms"),
      furtherPages.getDouble("p50Ms", 0.0), furtherPages.getDouble("p99Ms", 0.0));
    gen.closeAll(socks);
    return new JsonObject().put("conversations", conversations).put("messages", conversations * 5)
      .put("pageSize", 50).put("requestsPerSecond", rate).put("totalUnread", totalUnread)
      .put("warmupFirstPage", warmup).put("firstPage", firstPage).put("furtherPages", furtherPages)
      .put("firstPageP99Ms", firstPage.getDouble("p99Ms")).put("furtherPagesP99Ms", furtherPages.getDouble("p99Ms", 0.0));
  }

  private JsonObject inboxOnce(Gen.Sock s, String cursor) {
    java.util.concurrent.CompletableFuture<String> answer = new java.util.concurrent.CompletableFuture<>();
    s.onText = text -> {
      if (text.startsWith("{\"type\":\"INBOX\"") || text.startsWith("{\"type\":\"ERROR\"")) {
        answer.complete(text);
      }
    };
    s.send("{\"type\":\"GET_INBOX\",\"limit\":50" + (cursor == null ? "" : ",\"cursor\":\"" + cursor + "\"") + "}");
    try {
      JsonObject page = new JsonObject(answer.get(30, TimeUnit.SECONDS));
      if (!"INBOX".equals(page.getString("type"))) {
        throw new IllegalStateException("GET_INBOX answered " + page.encode());
      }
      return page;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonObject inboxRun(List<Gen.Sock> socks, int rate, List<String> cursors) {
    List<List<Gen.Sock>> byShard = new ArrayList<>();
    for (int i = 0; i < gen.shards.size(); i++) {
      byShard.add(new ArrayList<>());
    }
    socks.forEach(s -> byShard.get(s.shard).add(s));
    Step step = newStep(sizes.warmupSeconds(), sizes.historySeconds());
    for (Gen.Sock s : socks) {
      s.onText = text -> {
        if (text.startsWith("{\"type\":\"INBOX\"") || text.startsWith("{\"type\":\"ERROR\"")) {
          step.received(s.shard, text, "\"clientMsgId\":\"", false);
        }
      };
    }
    double[] cpu0 = new double[5];
    Thread sampler = windowCpu(step, cpu0);
    gen.openLoop((double) rate / gen.shards.size(), step.start, step.end, (shard, k, intended) -> {
      List<Gen.Sock> mine = byShard.get(shard);
      Gen.Sock s = mine.get((int) (k % mine.size()));
      String cursor = cursors.get((int) (k % cursors.size()));
      step.sent(shard, intended);
      s.send("{\"type\":\"GET_INBOX\",\"limit\":50" + (cursor.isEmpty() ? "" : ",\"cursor\":\"" + cursor + "\"")
        + ",\"clientMsgId\":\"" + step.stamp(intended) + "\"}");
    });
    boolean drained = step.drain(1, System.nanoTime() + sizes.drainSeconds() * 1_000_000_000L);
    step.closed = true;
    JsonObject figures = figures(step, rate, drained);
    try {
      sampler.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    double answered = Math.max(1, Step.sum(step.receivedDuringWindow));
    return figures.put("cpu", new JsonObject()
      .put("windowSeconds", cpu0[0])
      .put("postgresMsPerPage", cpu0[1] * 1e3 / answered)
      .put("jvmMsPerPage", cpu0[2] * 1e3 / answered)
      .put("jitSeconds", cpu0[3]).put("gcSeconds", cpu0[4]));
  }

  /**
   * CPU over a step's measured window, read at its start and end: into {@code out} the window's seconds, then
   * the CPU seconds of PostgreSQL (all its processes), this JVM (server and generator), its JIT and its collector.
   */
  private Thread windowCpu(Step step, double[] out) {
    long self = ProcessHandle.current().pid();
    Path pgDir = server.pgDir();
    Thread t = new Thread(() -> {
      LockSupport.parkNanos(step.measureFrom - System.nanoTime());
      long t0 = System.nanoTime();
      double[] a = {PgCpu.seconds(pgDir), ProcCpu.seconds(self), ProcCpu.threadSeconds(self, JIT_THREADS),
        ProcCpu.threadSeconds(self, GC_THREADS)};
      LockSupport.parkNanos(step.end - System.nanoTime());
      out[0] = (System.nanoTime() - t0) / 1e9;
      out[1] = PgCpu.seconds(pgDir) - a[0];
      out[2] = ProcCpu.seconds(self) - a[1];
      out[3] = ProcCpu.threadSeconds(self, JIT_THREADS) - a[2];
      out[4] = ProcCpu.threadSeconds(self, GC_THREADS) - a[3];
    }, "inbox-cpu");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void printInbox(String what, JsonObject run) {
    JsonObject cpu = run.getJsonObject("cpu", new JsonObject());
    System.out.printf("    %s: %.1f answered/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms; CPU per page: PostgreSQL %.2f ms, "
        + "JVM %.2f ms (server and generator); JIT %.2f s, GC %.2f s in the window%n", what,
      run.getDouble("deliveredPerSecond", 0.0), run.getDouble("p50Ms", 0.0), run.getDouble("p99Ms", 0.0),
      run.getDouble("maxMs", 0.0), cpu.getDouble("postgresMsPerPage", 0.0), cpu.getDouble("jvmMsPerPage", 0.0),
      cpu.getDouble("jitSeconds", 0.0), cpu.getDouble("gcSeconds", 0.0));
  }

  Step newStep(int warmupSeconds, int seconds) {
    return new Step(STEPS.incrementAndGet(), gen.shards.size(), System.nanoTime() + 50_000_000L,
      warmupSeconds * 1_000_000_000L, (long) (warmupSeconds + seconds) * 1_000_000_000L);
  }

  static JsonObject figures(Step step, double offered, boolean drained) {
    Histogram h = step.merged();
    long sent = Step.sum(step.sentInWindow);
    long got = Step.sum(step.receivedOfWindow);
    return new JsonObject()
      .put("offeredPerSecond", offered)
      .put("deliveredPerSecond", Step.sum(step.receivedDuringWindow) / step.windowSeconds())
      .put("sentInWindow", sent)
      .put("receivedOfWindow", got)
      .put("allArrived", drained)
      .put("errors", Step.sum(step.errors))
      .put("p50Ms", h.getValueAtPercentile(50) / 1e6)
      .put("p99Ms", h.getValueAtPercentile(99) / 1e6)
      .put("p999Ms", h.getValueAtPercentile(99.9) / 1e6)
      .put("maxMs", h.getMaxValue() / 1e6);
  }

  // ---- fan-out --------------------------------------------------------------------------------------

  /** In a second JVM, so that a 10,000-member group fits under the open-files limit on each side. */
  private JsonObject fanout() {
    return againstServerProcess("fanout", this::fanoutAgainst);
  }

  private JsonObject fanoutAgainst(long serverPid) {
    String senderName = "f" + RUN + "_sender";
    String senderToken = register(senderName);
    JsonArray groups = new JsonArray();
    for (int size : sizes.fanoutGroups()) {
      String groupId = "group_bench_" + RUN + "_" + size;
      Gen.Sock sender = gen.connectAll(List.of(new Gen.Spec(0, target.chatPort(), senderName, senderToken)), 1,
        "sender").get(0);
      String[] joined = {null};
      sender.onText = t -> joined[0] = t;
      sender.send("{\"type\":\"JOIN_GROUP\",\"groupId\":\"" + groupId + "\"}");
      waitFor(() -> joined[0] != null, 10, "JOIN_GROUP answer");
      List<String> members = bulkUsers("m" + size, size - 1);
      await(target.sql().preparedQuery("INSERT INTO group_members (conversation_id, username) "
          + "SELECT c.id, u FROM conversations c, unnest($2::text[]) u WHERE c.kind = 'G' AND c.external_id = $1")
        .execute(Tuple.of(groupId, (Object) members.toArray(new String[0]))));
      await(target.sql().preparedQuery("UPDATE conversations SET member_count = member_count + $2, members_version = members_version + 1 "
        + "WHERE kind = 'G' AND external_id = $1").execute(Tuple.of(groupId, members.size())));
      List<Gen.Spec> specs = new ArrayList<>();
      for (int i = 0; i < members.size(); i++) {
        specs.add(new Gen.Spec(i % gen.shards.size(), target.chatPort(), members.get(i),
          target.tokens().issue(members.get(i)).token()));
      }
      List<Gen.Sock> socks = gen.connectAll(specs, 500, "group of " + size);
      if (groups.isEmpty()) {
        warmUpFanout(groupId, sender, socks);
      }
      for (int load : List.of(sizes.fanoutLightDeliveriesPerSecond(), sizes.fanoutDeliveriesPerSecond())) {
        groups.add(fanoutStep(size, groupId, sender, socks, load, serverPid));
        gen.waitQuiet(500, 60);
      }
      List<Gen.Sock> all = new ArrayList<>(socks);
      all.add(sender);
      gen.closeAll(all);
    }
    return new JsonObject().put("groups", groups);
  }

  /**
   * Before the first measured group: {@link Sizes#jitWarmupSeconds()} of the light load, not recorded, so that the
   * JIT has compiled the fan-out path (a cold server measured the first group's light load at p99 over 1 s).
   */
  private void warmUpFanout(String groupId, Gen.Sock sender, List<Gen.Sock> socks) {
    if (sizes.jitWarmupSeconds() <= 0) {
      return;
    }
    double msgRate = Math.max(1, Math.min(2_000, sizes.fanoutLightDeliveriesPerSecond() / (double) socks.size()));
    Step step = newStep(0, sizes.jitWarmupSeconds());
    for (Gen.Sock s : socks) {
      s.onText = text -> step.received(s.shard, text, "\"content\":\"", true);
    }
    sender.onText = text -> { };
    gen.openLoop(msgRate, step.start, step.end, (shard, k, intended) -> {
      if (shard == 0) {
        sender.send(groupChat(groupId, step.stamp(intended)));
      }
    });
    gen.waitQuiet(500, 60);
  }

  private static String groupChat(String groupId, String content) {
    return "{\"type\":\"GROUP_CHAT\",\"groupId\":\"" + groupId + "\",\"content\":\"" + content + "\"}";
  }

  /** One open-loop run of one sender to the group at the given deliveries per second. */
  private JsonObject fanoutStep(int size, String groupId, Gen.Sock sender, List<Gen.Sock> socks,
                                int deliveriesPerSecond, long serverPid) {
    long recipients = socks.size();
    double msgRate = Math.max(1, Math.min(2_000, deliveriesPerSecond / (double) recipients));
    Step step = newStep(sizes.warmupSeconds(), sizes.fanoutSeconds());
    for (Gen.Sock s : socks) {
      s.onText = text -> step.received(s.shard, text, "\"content\":\"", true);
    }
    sender.onText = text -> step.received(0, text, "\"nothing\":\"", false);
    long closedBefore = gen.closedUnexpectedly.get();
    CpuSplit cpu = CpuSplit.over(serverPid, step.measureFrom, step.end);
    // one sender on shard 0: the loop runs on every shard, the others send nothing
    gen.openLoop(msgRate, step.start, step.end, (shard, k, intended) -> {
      if (shard == 0) {
        step.sent(shard, intended);
        sender.send(groupChat(groupId, step.stamp(intended)));
      }
    });
    boolean drained = step.drain(recipients, System.nanoTime() + sizes.drainSeconds() * 1_000_000_000L);
    step.closed = true;
    JsonObject f = figures(step, msgRate * recipients, drained);
    f.put("cpu", cpu.figures(f.getDouble("deliveredPerSecond")));
    // time until the last member had it: per message, the latest receipt over all shards
    Map<Long, long[]> last = new HashMap<>();
    for (Map<Long, long[]> m : step.lastReceipt) {
      synchronized (m) {
        m.forEach((k, v) -> last.merge(k, v.clone(), (a, b) -> new long[]{Math.max(a[0], b[0]), a[1] + b[1]}));
      }
    }
    Histogram lastH = new Histogram(Step.MAX_NANOS, 3);
    long complete = 0;
    for (long[] v : last.values()) {
      if (v[1] >= recipients) {
        complete++;
        lastH.recordValue(Math.max(1, v[0]));
      }
    }
    f.put("groupSize", size).put("offeredDeliveriesPerSecond", msgRate * recipients).put("onlineRecipients", recipients).put("messagesPerSecond", msgRate)
      .put("messagesInWindow", Step.sum(step.sentInWindow)).put("messagesReachingAll", complete)
      .put("lastMemberP50Ms", lastH.getValueAtPercentile(50) / 1e6)
      .put("lastMemberP99Ms", lastH.getValueAtPercentile(99) / 1e6)
      .put("lastMemberMaxMs", lastH.getMaxValue() / 1e6)
      .put("socketsCut", gen.closedUnexpectedly.get() - closedBefore);
    System.out.printf("  group %,d: %,.0f msg/s offered (%,.0f deliveries/s), delivered %,.0f deliveries/s; per delivery p50 %.1f ms "
        + "p99 %.1f ms; last member p50 %.1f ms p99 %.1f ms; %d/%d messages reached all%s%n",
      size, msgRate, msgRate * recipients, f.getDouble("deliveredPerSecond"), f.getDouble("p50Ms"), f.getDouble("p99Ms"),
      f.getDouble("lastMemberP50Ms"), f.getDouble("lastMemberP99Ms"), complete, Step.sum(step.sentInWindow),
      drained ? "" : " (not all arrived)");
    JsonObject c = f.getJsonObject("cpu");
    System.out.printf("    cores used: server %.2f, generator %.2f, the rest (PostgreSQL, ...) %.2f, idle %.2f of %d; "
        + "per delivery: server %.1f us, generator %.1f us%n", c.getDouble("serverCores"), c.getDouble("generatorCores"),
      c.getDouble("otherCores"), c.getDouble("idleCores"), Runtime.getRuntime().availableProcessors(),
      c.getDouble("serverUsPerDelivery"), c.getDouble("generatorUsPerDelivery"));
    return f;
  }

  // ---- history --------------------------------------------------------------------------------------

  private JsonObject history() {
    String a = "h" + RUN + "_a";
    String b = "h" + RUN + "_b";
    String tokenA = register(a);
    register(b);
    JsonObject chat = post("/api/chats", new JsonObject().put("with", b), tokenA);
    String chatId = chat.getString("chatId");
    int n = sizes.historyMessages();
    System.out.printf("  filling chat %s with %,d messages (generate_series)%n", chatId, n);
    long t0 = System.nanoTime();
    await(target.sql().withTransaction(conn -> conn.preparedQuery(
        "INSERT INTO messages (conversation_id, seq, sender, content) "
          + "SELECT c.id, g, CASE WHEN g % 2 = 0 THEN $2 ELSE $3 END, 'history message number ' || g "
          + "FROM conversations c, generate_series(1, $4) g WHERE c.kind = 'C' AND c.external_id = $1")
      .execute(Tuple.of(chatId, a, b, n))
      .compose(r -> conn.preparedQuery("UPDATE conversations SET last_seq = $2 WHERE kind = 'C' AND external_id = $1")
        .execute(Tuple.of(chatId, n)))));
    // settle what a bulk load leaves behind (hint bits, statistics, dirty pages) before measuring reads
    await(target.sql().query("VACUUM ANALYZE messages").execute());
    await(target.sql().query("CHECKPOINT").execute());
    Row ids = await(target.sql().preparedQuery("SELECT min(m.id), max(m.id), count(*) FROM messages m "
      + "JOIN conversations c ON c.id = m.conversation_id WHERE c.external_id = $1").execute(Tuple.of(chatId)))
      .iterator().next();
    long minId = ids.getLong(0);
    long maxId = ids.getLong(1);
    System.out.printf("  %,d messages in %.1f s%n", ids.getLong(2), (System.nanoTime() - t0) / 1e9);
    int socketsPerShard = 4;
    List<Gen.Spec> specs = new ArrayList<>();
    for (int i = 0; i < socketsPerShard * gen.shards.size(); i++) {
      specs.add(new Gen.Spec(i % gen.shards.size(), target.chatPort(), a, tokenA));
    }
    List<Gen.Sock> socks = gen.connectAll(specs, 20, "history sockets");
    List<List<Gen.Sock>> byShard = new ArrayList<>();
    for (int i = 0; i < gen.shards.size(); i++) {
      byShard.add(new ArrayList<>());
    }
    socks.forEach(s -> byShard.get(s.shard).add(s));
    Step step = newStep(sizes.warmupSeconds(), sizes.historySeconds());
    long[] pageSizeErrors = new long[gen.shards.size()];
    for (Gen.Sock s : socks) {
      s.onText = text -> {
        if (!text.startsWith("{\"type\":\"ONE_TO_ONE_CHAT_HISTORY\"") && !text.startsWith("{\"type\":\"ERROR\"")) {
          return;
        }
        step.received(s.shard, text, "\"clientMsgId\":\"", false);
      };
    }
    int rate = sizes.historyRate();
    gen.openLoop((double) rate / gen.shards.size(), step.start, step.end, (shard, k, intended) -> {
      List<Gen.Sock> mine = byShard.get(shard);
      Gen.Sock s = mine.get((int) (k % mine.size()));
      step.sent(shard, intended);
      String cursor = k % 2 == 0 ? ""
        : ",\"before\":\"msg_" + ThreadLocalRandom.current().nextLong(minId + 50, maxId + 1) + "\"";
      s.send("{\"type\":\"GET_ONE_TO_ONE_HISTORY\",\"chatId\":\"" + chatId + "\",\"limit\":50" + cursor
        + ",\"clientMsgId\":\"" + step.stamp(intended) + "\"}");
    });
    boolean drained = step.drain(1, System.nanoTime() + sizes.drainSeconds() * 1_000_000_000L);
    step.closed = true;
    JsonObject f = figures(step, rate, drained);
    f.put("messagesInChat", ids.getLong(2)).put("pageSize", 50)
      .put("mix", "half the newest page, half a page before a random message");
    System.out.printf("  history pages: %,d req/s offered, %,.0f answered/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms%n",
      rate, f.getDouble("deliveredPerSecond"), f.getDouble("p50Ms"), f.getDouble("p99Ms"), f.getDouble("p999Ms"));
    gen.closeAll(socks);
    return f;
  }

  // ---- helpers --------------------------------------------------------------------------------------

  /** Registers through REST (the product's path); returns the token. */
  String register(String name) {
    JsonObject r = post("/api/auth/register", new JsonObject().put("username", name).put("password", "pw-" + name + "-bench"),
      null);
    return r.getString("token");
  }

  /**
   * Many users at once: one registered through REST, the rest copied from it by SQL (same password hash);
   * their tokens are issued with the server's key. Registration is not what these scenarios measure.
   */
  List<String> bulkUsers(String prefix, int n) {
    if (passwordHash == null) {
      register("seed" + RUN);
      passwordHash = await(target.sql().preparedQuery("SELECT password_hash FROM users WHERE username = $1")
        .execute(Tuple.of("seed" + RUN))).iterator().next().getString(0);
    }
    List<String> names = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      names.add(prefix + RUN + "_" + i);
    }
    await(target.sql().preparedQuery("INSERT INTO users (username, password_hash) SELECT u, $2 FROM unnest($1::text[]) u")
      .execute(Tuple.of(names.toArray(new String[0]), passwordHash)));
    return names;
  }

  private JsonObject post(String path, JsonObject body, String token) {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.chatPort() + path))
      .header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) {
      req.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> r = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException(path + " answered " + r.statusCode() + " " + r.body());
      }
      return new JsonObject(r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void waitFor(java.util.function.BooleanSupplier condition, int seconds, String what) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no " + what + " within " + seconds + " s");
      }
      pause(10);
    }
  }

  static void pause(long millis) {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Heap used after a full GC, Netty's direct memory, and the process's resident set. */
  record Memory(long heap, long direct, long rss, List<String> top) {
    Memory(long heap, long direct, long rss) {
      this(heap, direct, rss, List.of());
    }

    /** Another JVM: live heap from a class histogram (which runs a full GC first), VmRSS; direct not known. */
    static Memory of(long pid) {
      try {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(120, TimeUnit.SECONDS);
        long heap = -1;
        List<String> top = new ArrayList<>();
        for (String line : out.split("\n")) {
          if (line.matches("\\s*\\d+:.*") && top.size() < 25) {
            top.add(line.trim());
          }
          if (line.startsWith("Total")) {
            String[] f = line.trim().split("\\s+");
            heap = Long.parseLong(f[2]);
          }
        }
        return new Memory(heap, 0, Report.procValue("/proc/" + pid + "/status", "VmRSS:") * 1024, top);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    static Memory now() {
      for (int i = 0; i < 3; i++) {
        System.gc();
        pause(200);
      }
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      long direct = io.netty.util.internal.PlatformDependent.usedDirectMemory();
      long bufferPools = 0;
      for (var pool : ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
        bufferPools += pool.getMemoryUsed();
      }
      return new Memory(heap, Math.max(0, direct) + bufferPools, Report.rss());
    }
  }
}
