package io.chatpresence.bench;

import io.chatpresence.launcher.cluster.HazelcastConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.chatpresence.chat.ChatVerticle;
import io.chatpresence.server.auth.Tokens;
import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.launcher.db.Migrations;
import io.chatpresence.server.db.Pools;
import io.chatpresence.launcher.db.EmbeddedDatabase;
import io.chatpresence.presence.PresenceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The product under test, in this JVM on its own Vert.x instance: embedded PostgreSQL (fsync on, as shipped),
 * the chat and presence verticles (what AllVerticle deploys), and the bare relay baseline. With more than one
 * node ({@code cluster}): as many clustered Vert.x instances (loopback Hazelcast, a cluster name of their own),
 * each with chat and presence on ports of its own, all on the one database; the relay, {@link #sql} and
 * {@link #tokens} live on the first, and the fields without a node are the first node's.
 */
final class BenchServer implements AutoCloseable {
  static final String SECRET = "bench-secret-0123456789-0123456789-abcdef";
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  final Vertx vertx;
  /** The embedded database this server started; null for a part that joined another part's database. */
  final EmbeddedDatabase db;
  final String pgUrl;
  final JsonObject config;
  final int chatPort;
  final int presencePort;
  final int relayPort;
  final Pool sql;
  final Tokens tokens;
  final List<Node> nodes;
  private final Path dir;

  /** One Vert.x instance running the product. */
  record Node(Vertx vertx, JsonObject config) {
    int chatPort() {
      return config.getInteger(ConfigKeys.CHAT_PORT);
    }
  }

  /** What PostgreSQL does per message: CPU, commits, WAL, costly statements. */
  PgStats pgStats() {
    return new PgStats(sql, pgDir());
  }

  /** The embedded PostgreSQL's data directory (its postmaster.pid names the server process). */
  Path pgDir() {
    return dir.resolve("pg");
  }

  private BenchServer(List<Node> nodes, EmbeddedDatabase db, String pgUrl, int relayPort, Pool sql, Tokens tokens,
                      Path dir) {
    this.nodes = nodes;
    this.vertx = nodes.get(0).vertx();
    this.db = db;
    this.pgUrl = pgUrl;
    this.config = nodes.get(0).config();
    this.chatPort = config.getInteger(ConfigKeys.CHAT_PORT);
    this.presencePort = config.getInteger(ConfigKeys.PRESENCE_PORT);
    this.relayPort = relayPort;
    this.sql = sql;
    this.tokens = tokens;
    this.dir = dir;
  }

  static BenchServer start(JsonObject overrides) throws IOException {
    return start(overrides, 1);
  }

  static BenchServer start(JsonObject overrides, int nodeCount) throws IOException {
    return start(overrides, nodeCount, Part.ALL, null, null);
  }

  /** What a node deploys: the product as AllVerticle does, or one of its two servers (the storm splits them). */
  enum Part {
    ALL, CHAT, PRESENCE
  }

  /**
   * A server of {@code nodeCount} nodes, each deploying {@code part}. With {@code pgUrl} it uses that database
   * (another part's) instead of starting one; with {@code clusterName} its nodes join that cluster (so that two
   * processes, one per part, form one product).
   */
  static BenchServer start(JsonObject overrides, int nodeCount, Part part, String clusterName, String pgUrl)
    throws IOException {
    Path dir = Files.createTempDirectory("chat-bench");
    // bench-only: statement statistics (issue 16 measures where PostgreSQL's time per message goes)
    Map<String, String> pg = new java.util.HashMap<>(
      Map.of("shared_preload_libraries", "pg_stat_statements", "pg_stat_statements.max", "1000"));
    // -Dbench.pg.NAME=value: a PostgreSQL setting of the embedded database, e.g. -Dbench.pg.plan_cache_mode=...
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith("bench.pg.")) {
        pg.put(key.substring("bench.pg.".length()), System.getProperty(key));
      }
    }
    EmbeddedDatabase db = null;
    if (pgUrl == null) {
      db = EmbeddedDatabase.start(dir.resolve("pg"), 0, pg);
      pgUrl = db.url();
      Migrations.migrate(pgUrl);
    }
    String cluster = clusterName != null ? clusterName
      : nodeCount == 1 ? null : "chat-bench-" + UUID.randomUUID();
    List<Node> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < nodeCount; i++) {
        nodes.add(node(cluster, part, pgUrl, dir, overrides));
      }
      // one cluster of them all, not separate ones (across-node deliveries would then never arrive)
      Bench.waitFor(() -> nodeCount == 1
        || ((VertxInternal) nodes.get(0).vertx()).clusterManager().getNodes().size() >= nodeCount,
        30, "cluster of " + nodeCount);
    } catch (RuntimeException e) {
      nodes.forEach(n -> Bench.await(n.vertx().close()));
      if (db != null) {
        db.close();
      }
      throw e;
    }
    Vertx vertx = nodes.get(0).vertx();
    int relayPort = freePort();
    int relayInstances = Integer.getInteger("bench.relayInstances", 1);
    Map<String, ServerWebSocket> relaySockets = relayInstances == 1 ? new HashMap<>() : new ConcurrentHashMap<>();
    for (int i = relayInstances; i > 0; i--) {
      Bench.await(vertx.deployVerticle(new Relay(relayPort, relaySockets)));
    }
    Pool sql = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
      .connectingTo(Pools.connectOptions(pgUrl)).using(vertx).build();
    Tokens tokens = Bench.await(Tokens.create(vertx, nodes.get(0).config()));
    if (db != null) {
      Bench.await(sql.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").execute());
    }
    return new BenchServer(List.copyOf(nodes), db, pgUrl, relayPort, sql, tokens, dir);
  }

  /** A Vert.x instance (clustered when {@code clusterName} is given) with chat, presence or both deployed. */
  private static Node node(String clusterName, Part part, String pgUrl, Path dir, JsonObject overrides) {
    VertxOptions options = new VertxOptions()
      .setPreferNativeTransport(Boolean.parseBoolean(System.getProperty("bench.native", "true")));
    Vertx vertx;
    if (clusterName == null) {
      vertx = Vertx.vertx(options);
    } else {
      vertx = Bench.await(Vertx.builder()
        .with(options.setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")))
        .withClusterManager(new HazelcastClusterManager(loopbackConfig(clusterName)))
        .buildClustered());
    }
    JsonObject config = ConfigKeys.defaults()
      .put(ConfigKeys.PG_URL, pgUrl)
      .put(ConfigKeys.CHAT_PORT, freePort())
      .put(ConfigKeys.PRESENCE_PORT, freePort())
      .put(ConfigKeys.JWT_SECRET, SECRET)
      .put(ConfigKeys.PASSWORD_ITERATIONS, 1_000)
      .put(ConfigKeys.RATE_PER_SECOND, 1_000_000.0)
      .put(ConfigKeys.RATE_BURST, 1_000_000)
      .put(ConfigKeys.AUTH_TIMEOUT_MS, 60_000L)
      .put(ConfigKeys.DATA_DIR, dir.resolve("data").toString())
      .mergeIn(overrides);
    DeploymentOptions deployment = new DeploymentOptions().setConfig(config);
    Future<?> chat = part == Part.PRESENCE ? Future.succeededFuture() : vertx.deployVerticle(ChatVerticle.class,
      new DeploymentOptions(deployment).setInstances(Integer.getInteger("bench.chatInstances", 1)));
    Bench.await(chat
      .compose(id -> part == Part.CHAT ? Future.succeededFuture() : vertx.deployVerticle(PresenceVerticle.class, deployment))
      .onFailure(e -> vertx.close()));
    return new Node(vertx, config);
  }

  /**
   * The project's Hazelcast config (conf/cluster.xml, as the launcher loads it) under the given cluster name;
   * refuses to run unless it is loopback only: TCP-IP on 127.0.0.1, no multicast, no auto-detection, no bind-any.
   */
  private static Config loopbackConfig(String clusterName) {
    Config hazelcast = HazelcastConfig.load(clusterName);
    JoinConfig join = hazelcast.getNetworkConfig().getJoin();
    List<String> loopback = List.of("127.0.0.1");
    if (join.getMulticastConfig().isEnabled() || join.getAutoDetectionConfig().isEnabled()
      || !join.getTcpIpConfig().isEnabled() || !loopback.equals(join.getTcpIpConfig().getMembers())
      || !hazelcast.getNetworkConfig().getInterfaces().isEnabled()
      || !loopback.equals(List.copyOf(hazelcast.getNetworkConfig().getInterfaces().getInterfaces()))
      || !"false".equals(hazelcast.getProperty("hazelcast.socket.bind.any"))) {
      throw new IllegalStateException("the Hazelcast config is not the loopback one (conf/cluster.xml): " + join);
    }
    return hazelcast;
  }

  /**
   * A port free right now and not handed out before in this JVM: the system may give the same free port twice
   * in a row, and two servers of one Vert.x instance on one port share it (a chat socket would reach presence).
   */
  static int freePort() {
    while (true) {
      try (ServerSocket s = new ServerSocket(0)) {
        if (HANDED_OUT.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public void close() {
    try {
      Bench.await(sql.close());
      // the last node first; a clustered node leaves its cluster as it closes
      for (int i = nodes.size() - 1; i >= 0; i--) {
        Bench.await(nodes.get(i).vertx().close());
      }
    } catch (RuntimeException e) {
      System.err.println("closing the server: " + e);
    }
    try {
      if (db != null) {
        db.close();
      }
    } catch (IOException e) {
      System.err.println("closing PostgreSQL: " + e);
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("removing " + dir + ": " + e);
    }
  }
}
