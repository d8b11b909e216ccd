package io.chatpresence.chat;

import io.chatpresence.chat.api.Cors;
import io.chatpresence.chat.api.PasswordHasher;
import io.chatpresence.chat.api.RestApi;
import io.chatpresence.chat.socket.ChatSocketHandler;
import io.chatpresence.chat.socket.Delivery;
import io.chatpresence.chat.store.AccountStore;
import io.chatpresence.chat.store.ConversationStore;
import io.chatpresence.server.ServiceVerticle;
import io.chatpresence.server.auth.Authenticator;
import io.chatpresence.server.auth.Tokens;
import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.metrics.Metrics;
import io.chatpresence.server.socket.Limits;
import io.chatpresence.server.socket.SocketServer;
import io.chatpresence.server.web.HttpSupport;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The chat server: WebSocket protocol on {@code /} and the REST API, on {@code CHAT_PORT} (4000). */
public class ChatVerticle extends ServiceVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(ChatVerticle.class);
  private static final long HOUR_MS = 3_600_000L;

  private Authenticator authenticator;
  private PasswordHasher hasher;
  private Delivery delivery;

  @Override
  protected String name() {
    return "chat";
  }

  @Override
  protected Future<HttpServer> startService(Tokens tokens) {
    authenticator = new Authenticator(tokens, pool);
    return vertx.executeBlocking(() -> new PasswordHasher(cfg.getInteger(ConfigKeys.PASSWORD_ITERATIONS)), false)
      .compose(h -> {
        hasher = h;
        return registry.registerConsumers();
      })
      .compose(v -> {
        delivery = new Delivery(vertx, registry);
        return delivery.start();
      })
      .compose(v -> startServer());
  }

  @Override
  protected void started(HttpServer listening) {
    schedulePurge();
    LOG.info("Chat server listening on {}:{}", cfg.getString(ConfigKeys.HTTP_HOST), listening.actualPort());
  }

  private Future<HttpServer> startServer() {
    ConversationStore conversations = new ConversationStore(pool);
    ChatSocketHandler.Settings settings = new ChatSocketHandler.Settings(
      cfg.getInteger(ConfigKeys.MAX_CONTENT_CHARS), cfg.getInteger(ConfigKeys.HISTORY_DEFAULT_LIMIT),
      cfg.getInteger(ConfigKeys.HISTORY_MAX_LIMIT), cfg.getInteger(ConfigKeys.CONTACT_GROUP_MAX_MEMBERS));
    SocketServer sockets = new SocketServer(vertx, Limits.from(cfg), authenticator, registry,
      new ChatSocketHandler(vertx, conversations, delivery, settings))
      .metrics(Metrics.of(vertx).sockets("chat"));

    server = HttpSupport.webSocketServer(vertx, cfg, ConfigKeys.CHAT_PORT, sockets, setupRouter(conversations));
    return server.listen();
  }

  private Router setupRouter(ConversationStore conversations) {
    Router router = Router.router(vertx);
    HttpSupport.addHealthRoutes(router, pool);
    Cors.mount(router, cfg.getValue(ConfigKeys.CORS_ALLOWED_ORIGINS)); // before the API's bearer check
    new RestApi(vertx, new AccountStore(pool), conversations, authenticator, hasher).mount(router);
    // what the web client cannot derive from its own address: the presence server's port
    router.get("/config.json").handler(ctx -> HttpSupport.json(ctx, 200,
      new JsonObject().put("presencePort", cfg.getInteger(ConfigKeys.PRESENCE_PORT))));
    // the web client (issue: web chat client), served from the classpath folder WEB_ROOT
    router.route("/*").handler(StaticHandler.create(cfg.getString(ConfigKeys.WEB_ROOT)).setCachingEnabled(false));
    return router;
  }

  private void schedulePurge() {
    vertx.setPeriodic(HOUR_MS, HOUR_MS, id -> new AccountStore(pool).purgeExpiredRevocations()
      .onFailure(e -> LOG.debug("Purge of expired revocations failed: {}", e.toString())));
  }
}
