package io.chatpresence.bench;

import io.chatpresence.chat.ChatVerticle;
import io.chatpresence.common.auth.Tokens;
import io.chatpresence.common.config.ConfigKeys;
import io.chatpresence.common.db.Database;
import io.chatpresence.common.db.EmbeddedDatabase;
import io.chatpresence.presence.PresenceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The product under test, in this JVM on its own Vert.x instance: embedded PostgreSQL (fsync on, as shipped),
 * the chat and presence verticles (what AllVerticle deploys), and the bare relay baseline.
 */
final class BenchServer implements AutoCloseable {
  static final String SECRET = "bench-secret-0123456789-0123456789-abcdef";

  final Vertx vertx;
  final EmbeddedDatabase db;
  final JsonObject config;
  final int chatPort;
  final int presencePort;
  final int relayPort;
  final Pool sql;
  final Tokens tokens;
  private final Path dir;

  private BenchServer(Vertx vertx, EmbeddedDatabase db, JsonObject config, int relayPort, Pool sql, Tokens tokens,
                      Path dir) {
    this.vertx = vertx;
    this.db = db;
    this.config = config;
    this.chatPort = config.getInteger(ConfigKeys.CHAT_PORT);
    this.presencePort = config.getInteger(ConfigKeys.PRESENCE_PORT);
    this.relayPort = relayPort;
    this.sql = sql;
    this.tokens = tokens;
    this.dir = dir;
  }

  static BenchServer start(JsonObject overrides) throws IOException {
    Path dir = Files.createTempDirectory("chat-bench");
    EmbeddedDatabase db = EmbeddedDatabase.start(dir.resolve("pg"), 0);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(Boolean.parseBoolean(System.getProperty("bench.native", "true"))));
    JsonObject config = ConfigKeys.defaults()
      .put(ConfigKeys.PG_URL, db.url())
      .put(ConfigKeys.CHAT_PORT, freePort())
      .put(ConfigKeys.PRESENCE_PORT, freePort())
      .put(ConfigKeys.JWT_SECRET, SECRET)
      .put(ConfigKeys.PASSWORD_ITERATIONS, 1_000)
      .put(ConfigKeys.RATE_PER_SECOND, 1_000_000.0)
      .put(ConfigKeys.RATE_BURST, 1_000_000)
      .put(ConfigKeys.AUTH_TIMEOUT_MS, 60_000L)
      .put(ConfigKeys.DATA_DIR, dir.resolve("data").toString())
      .mergeIn(overrides);
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    Bench.await(vertx.deployVerticle(ChatVerticle.class,
        new DeploymentOptions(options).setInstances(Integer.getInteger("bench.chatInstances", 1)))
      .compose(id -> vertx.deployVerticle(PresenceVerticle.class, options)));
    int relayPort = freePort();
    Bench.await(vertx.deployVerticle(new Relay(relayPort)));
    Pool sql = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
      .connectingTo(Database.connectOptions(db.url())).using(vertx).build();
    Tokens tokens = Bench.await(Tokens.create(vertx, config));
    return new BenchServer(vertx, db, config, relayPort, sql, tokens, dir);
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      Bench.await(sql.close());
      Bench.await(vertx.close());
    } catch (RuntimeException e) {
      System.err.println("closing the server: " + e);
    }
    try {
      db.close();
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
