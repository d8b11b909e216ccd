package io.chatpresence.server;

import io.chatpresence.protocol.CloseCodes;
import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.server.auth.Tokens;
import io.chatpresence.server.config.AppConfig;
import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.db.Pools;
import io.chatpresence.server.socket.SessionRegistry;
import io.chatpresence.server.web.Health;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

/**
 * The life of a WebSocket server verticle (chat, presence): config, pool, token checks and the socket registry
 * ({@link Services}), then the service's own start, which returns its listening server; on stop, sockets closed
 * with 1001 (clients reconnect, elsewhere when clustered), the server closed, the pool handle closed. A failed
 * start closes the pool handle too (Vert.x does not call stop then).
 */
public abstract class ServiceVerticle extends VerticleBase {
  /** What every service starts with. */
  protected record Services(JsonObject cfg, Pool pool, Tokens tokens, SessionRegistry registry) {
  }

  private Health.Server health;
  private Pool pool;
  private SessionRegistry registry;
  private HttpServer server;

  /** The service's name in health reports and logs: "chat", "presence". */
  protected abstract String name();

  /** Registers consumers and starts the server; completes with the server listening. */
  protected abstract Future<HttpServer> startService(Services services);

  /** Before the sockets close. */
  protected void stopping() {
  }

  @Override
  public final Future<?> start() {
    Bus.registerCodecs(vertx);
    health = Health.server(vertx, name() + " " + deploymentID() + "/" + System.identityHashCode(this));
    return AppConfig.load(vertx, config())
      .compose(this::services)
      .compose(this::startService)
      .onFailure(e -> closePool())
      .onSuccess(listening -> {
        server = listening;
        health.listening();
      });
  }

  private Future<Services> services(JsonObject cfg) {
    pool = Pools.create(vertx, cfg);
    registry = new SessionRegistry(vertx, cfg.getLong(ConfigKeys.PRESENCE_HEARTBEAT_MS));
    return Tokens.create(vertx, cfg).map(tokens -> new Services(cfg, pool, tokens, registry));
  }

  private Future<Void> closePool() {
    Pool held = pool;
    pool = null;
    return held == null ? Future.succeededFuture() : held.close();
  }

  @Override
  public final Future<?> stop() {
    health.stopping();
    stopping();
    Future<Void> sockets = registry == null ? Future.succeededFuture()
      : registry.closeAll(CloseCodes.GOING_AWAY, "server stopping");
    return sockets
      .eventually(() -> server == null ? Future.succeededFuture() : server.close())
      .eventually(this::closePool)
      .andThen(ar -> health.removed());
  }
}
