package io.chatpresence.chat;

import io.chatpresence.chat.api.ApiContract;
import io.chatpresence.chat.api.Cors;
import io.chatpresence.chat.api.PasswordHasher;
import io.chatpresence.chat.api.RestApi;
import io.chatpresence.chat.socket.ChatSocketHandler;
import io.chatpresence.chat.socket.Delivery;
import io.chatpresence.chat.store.AccountStore;
import io.chatpresence.chat.store.AdminStore;
import io.chatpresence.chat.store.BlockStore;
import io.chatpresence.chat.store.PersonalDataStore;
import io.chatpresence.chat.store.ConversationStore;
import io.chatpresence.chat.store.EditStore;
import io.chatpresence.chat.store.ReadStore;
import io.chatpresence.chat.store.SyncStore;
import io.chatpresence.chat.store.SyncTokens;
import io.chatpresence.chat.store.SyncWatermark;
import io.chatpresence.protocol.Features;
import io.chatpresence.server.ServiceVerticle;
import io.chatpresence.server.auth.Authenticator;
import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.metrics.Metrics;
import io.chatpresence.server.socket.Limits;
import io.chatpresence.server.socket.SessionRegistry;
import io.chatpresence.server.socket.SocketServer;
import io.chatpresence.server.web.HttpSupport;
import io.chatpresence.server.web.Peer;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The chat server: WebSocket protocol on {@code /} and the REST API, on {@code CHAT_PORT} (4000). */
public class ChatVerticle extends ServiceVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(ChatVerticle.class);
  private static final long HOUR_MS = 3_600_000L;

  private static final Peer PRESENCE = new Peer("presence", Bus.PRESENCE_PING);

  private JsonObject cfg;
  private Pool pool;
  private SessionRegistry registry;
  private Authenticator authenticator;
  private PasswordHasher hasher;
  private Delivery delivery;
  private ChatSocketHandler handler;
  private SyncWatermark watermark;
  private SyncTokens syncTokens;
  private long purgeTimer = -1;

  @Override
  protected String name() {
    return "chat";
  }

  @Override
  protected Future<HttpServer> startService(Services services) {
    cfg = services.cfg();
    pool = services.pool();
    registry = services.registry();
    authenticator = new Authenticator(services.tokens(), pool);
    delivery = new Delivery(vertx, registry);
    syncTokens = new SyncTokens(services.tokens().derivedKey(SyncTokens.KEY_PURPOSE));
    watermark = new SyncWatermark(vertx, new SyncStore(pool));
    return vertx.executeBlocking(() -> new PasswordHasher(cfg.getInteger(ConfigKeys.PASSWORD_ITERATIONS)), false)
      .compose(h -> {
        hasher = h;
        return registerConsumers();
      })
      .compose(v -> watermark.start())
      .compose(v -> startServer())
      .onSuccess(this::started);
  }

  private Future<Void> registerConsumers() {
    return Future.all(registry.registerConsumers(), delivery.start(),
      Peer.answer(vertx, Bus.CHAT_PING, "chat").completion()).mapEmpty();
  }

  private void started(HttpServer listening) {
    schedulePurge();
    PRESENCE.checkAtStart(vertx, "chat");
    LOG.info("Chat server listening on {}:{}", cfg.getString(ConfigKeys.HTTP_HOST), listening.actualPort());
  }

  @Override
  protected void stopping() {
    vertx.cancelTimer(purgeTimer);
    if (watermark != null) {
      watermark.stop();
    }
    if (handler != null) {
      handler.stop();
    }
  }

  private Future<HttpServer> startServer() {
    int writeBatches = cfg.getInteger(ConfigKeys.DB_WRITE_BATCHES);
    ConversationStore conversations = new ConversationStore(pool, cfg.getInteger(ConfigKeys.DB_INSERT_BATCHES),
      cfg.getLong(ConfigKeys.DB_INSERT_HOLD_MICROS));
    ChatSocketHandler.Settings settings = new ChatSocketHandler.Settings(
      cfg.getInteger(ConfigKeys.MAX_CONTENT_CHARS), cfg.getInteger(ConfigKeys.HISTORY_DEFAULT_LIMIT),
      cfg.getInteger(ConfigKeys.HISTORY_MAX_LIMIT), cfg.getInteger(ConfigKeys.CONTACT_GROUP_MAX_MEMBERS));
    ReadStore reads = new ReadStore(pool, watermark, syncTokens, writeBatches,
      cfg.getLong(ConfigKeys.DB_MARK_HOLD_MICROS));
    BlockStore blocks = new BlockStore(pool);
    handler = new ChatSocketHandler(vertx, conversations, reads, blocks, new EditStore(pool, writeBatches), new SyncStore(pool),
      watermark, syncTokens, delivery, settings);
    SocketServer sockets = new SocketServer(vertx, Limits.from(cfg), authenticator, registry, handler)
      .features(Features.READ | Features.TYPING | Features.EDIT | Features.SYNC)
      .metrics(Metrics.of(vertx).sockets("chat"));

    return handler.start().compose(v -> ApiContract.load(vertx)).compose(api ->
      HttpSupport.webSocketServer(vertx, cfg, ConfigKeys.CHAT_PORT, sockets, setupRouter(api, conversations, reads, blocks))
        .listen());
  }

  /** The one place the chat port's HTTP routes are put together. */
  private Router setupRouter(ApiContract api, ConversationStore conversations, ReadStore reads, BlockStore blocks) {
    Router router = Router.router(vertx);
    HttpSupport.addHealthRoutes(router, pool, PRESENCE);
    Cors.mount(router, cfg.getValue(ConfigKeys.CORS_ALLOWED_ORIGINS)); // before the API's bearer check
    // the REST API under /api, built from its OpenAPI contract (its paths are absolute: mounted at the root)
    RestApi restApi = new RestApi(vertx, new AccountStore(pool), conversations, reads, blocks, authenticator, hasher)
      .localLogin(!"false".equalsIgnoreCase(String.valueOf(cfg.getValue(ConfigKeys.LOCAL_LOGIN))))
      .admin(cfg.getString(ConfigKeys.ADMIN_API_KEYS), handler, new AdminStore(pool), new PersonalDataStore(pool),
        cfg.getInteger(ConfigKeys.MAX_CONTENT_CHARS));
    router.route("/*").subRouter(restApi.router(api));
    // what the web client cannot derive from its own address: the presence server's port
    router.get("/config.json").handler(ctx -> HttpSupport.json(ctx, 200,
      new JsonObject().put("presencePort", cfg.getInteger(ConfigKeys.PRESENCE_PORT))));
    // the web client (issue: web chat client), served from the classpath folder WEB_ROOT
    router.route("/*").handler(StaticHandler.create(cfg.getString(ConfigKeys.WEB_ROOT)).setCachingEnabled(false));
    return router;
  }

  private void schedulePurge() {
    purgeTimer = vertx.setPeriodic(HOUR_MS, HOUR_MS, id -> new AccountStore(pool).purgeExpiredRevocations()
      .onFailure(e -> LOG.debug("Purge of expired revocations failed: {}", e.toString())));
  }
}
