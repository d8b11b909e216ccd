package io.chatpresence.server;

import io.chatpresence.server.auth.Tokens;
import io.chatpresence.server.config.AppConfig;
import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.db.Database;
import io.chatpresence.protocol.CloseCodes;
import io.chatpresence.server.socket.SessionRegistry;
import io.chatpresence.server.web.Health;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

/**
 * The life of a WebSocket server verticle (chat, presence): config, database, tokens, then the service's own
 * start; on stop, sockets closed with 1001 (clients reconnect, elsewhere when clustered), the server closed,
 * the database given back. A failed start gives the database back too (Vert.x does not call stop then).
 */
public abstract class ServiceVerticle extends VerticleBase {
  protected JsonObject cfg;
  protected Pool pool;
  protected SessionRegistry registry;
  protected HttpServer server;
  private Health.Server health;

  /** The service's name in health reports and logs: "chat", "presence". */
  protected abstract String name();

  /** Registers consumers and starts the server ({@link #server}); the registry already exists. */
  protected abstract Future<HttpServer> startService(Tokens tokens);

  /** After the server listens. */
  protected void started(HttpServer listening) {
  }

  /** Before the sockets close. */
  protected void stopping() {
  }

  @Override
  public final Future<?> start() {
    health = Health.server(vertx, name() + " " + deploymentID() + "/" + System.identityHashCode(this));
    return AppConfig.load(vertx, config())
      .compose(c -> {
        cfg = c;
        return Database.acquire(vertx, cfg);
      })
      .compose(p -> {
        pool = p;
        registry = new SessionRegistry(vertx, cfg.getLong(ConfigKeys.PRESENCE_HEARTBEAT_MS));
        return Tokens.create(vertx, cfg);
      })
      .compose(this::startService)
      .onFailure(e -> releaseAfterFailedStart())
      .onSuccess(listening -> {
        health.listening();
        started(listening);
      });
  }

  private void releaseAfterFailedStart() {
    if (pool != null) {
      pool = null;
      Database.release(vertx);
    }
  }

  @Override
  public final Future<?> stop() {
    health.stopping();
    stopping();
    Future<Void> sockets = registry == null ? Future.succeededFuture()
      : registry.closeAll(CloseCodes.GOING_AWAY, "server stopping");
    return sockets
      .eventually(() -> server == null ? Future.succeededFuture() : server.close())
      .eventually(() -> pool == null ? Future.succeededFuture() : Database.release(vertx))
      .andThen(ar -> health.removed());
  }
}
