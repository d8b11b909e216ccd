package io.chatpresence.server.db;

import io.chatpresence.server.config.ConfigKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The process's access to PostgreSQL: the URL (starting embedded PostgreSQL when {@code PG_URL} is unset),
 * migrations (once per URL and process) and the shared pool. Verticles {@link #acquire} in start and
 * {@link #release} in stop; the embedded server stops with the last of them.
 */
public final class Database {
  public static final String POOL_NAME = "chat-presence-db";

  // CompletableFutures, not Vert.x futures: they outlive any one Vertx instance (tests start several)
  private static CompletableFuture<String> readyUrl;
  private static EmbeddedDatabase embedded;
  private static int holders;
  private static final Map<String, CompletableFuture<Void>> MIGRATED = new HashMap<>();

  private Database() {
  }

  public static synchronized Future<Pool> acquire(Vertx vertx, JsonObject config) {
    holders++;
    String configured = config.getString(ConfigKeys.PG_URL);
    Future<String> url;
    if (configured != null && !configured.isBlank()) {
      url = Future.succeededFuture(configured);
    } else {
      if (readyUrl == null) {
        Path dataDir = Path.of(config.getString(ConfigKeys.DATA_DIR), "pg");
        CompletableFuture<String> starting = new CompletableFuture<>();
        readyUrl = starting;
        vertx.executeBlocking(() -> startEmbedded(dataDir), false).onComplete(ar -> {
          if (ar.succeeded()) {
            starting.complete(ar.result());
          } else {
            forgetEmbedded();
            starting.completeExceptionally(ar.cause());
          }
        });
      }
      url = Future.fromCompletionStage(readyUrl, vertx.getOrCreateContext());
    }
    return url.compose(u -> migrate(vertx, u).map(v -> pool(vertx, u, config)))
      .onFailure(e -> release(vertx));
  }

  /** Call from a verticle's stop; stops embedded PostgreSQL when the last holder leaves. */
  public static Future<Void> release(Vertx vertx) {
    EmbeddedDatabase toStop;
    synchronized (Database.class) {
      holders--;
      if (holders > 0 || embedded == null) {
        return Future.succeededFuture();
      }
      toStop = embedded;
      embedded = null;
      readyUrl = null;
      MIGRATED.clear();
    }
    return vertx.executeBlocking(() -> {
      toStop.close();
      return null;
    }, false);
  }

  public static PgConnectOptions connectOptions(String url) {
    return PgConnectOptions.fromUri(url).setCachePreparedStatements(true).setPipeliningLimit(256);
  }

  private static Pool pool(Vertx vertx, String url, JsonObject config) {
    return PgBuilder.pool()
      .with(new PoolOptions()
        .setShared(true)
        .setName(POOL_NAME)
        .setMaxSize(config.getInteger(ConfigKeys.DB_POOL_SIZE)))
      .connectingTo(connectOptions(url))
      .using(vertx)
      .build();
  }

  private static synchronized String startEmbedded(Path dataDir) throws Exception {
    if (embedded == null) {
      embedded = EmbeddedDatabase.start(dataDir, 0);
    }
    return embedded.url();
  }

  private static synchronized void forgetEmbedded() {
    readyUrl = null;
  }

  /** Once per URL; a failed attempt is forgotten so that the next start tries again. */
  private static synchronized Future<Void> migrate(Vertx vertx, String url) {
    CompletableFuture<Void> done = MIGRATED.get(url);
    if (done == null) {
      CompletableFuture<Void> migrating = new CompletableFuture<>();
      done = migrating;
      MIGRATED.put(url, migrating);
      vertx.executeBlocking(() -> {
        migrateNow(url);
        return null;
      }, false).onComplete(ar -> {
        if (ar.succeeded()) {
          migrating.complete(null);
        } else {
          synchronized (Database.class) {
            MIGRATED.remove(url);
          }
          migrating.completeExceptionally(ar.cause());
        }
      });
    }
    return Future.fromCompletionStage(done, vertx.getOrCreateContext());
  }

  /** Flyway over JDBC; PostgreSQL's advisory lock keeps concurrent nodes from racing. Blocking. */
  public static void migrateNow(String url) {
    PgConnectOptions o = PgConnectOptions.fromUri(url);
    String jdbc = "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
    Flyway.configure()
      .dataSource(jdbc, o.getUser(), o.getPassword())
      .locations("classpath:db/migration")
      .load()
      .migrate();
  }
}
