package io.chatpresence.presence;

import io.chatpresence.protocol.Addresses;
import io.chatpresence.server.ServiceVerticle;
import io.chatpresence.server.auth.Authenticator;
import io.chatpresence.server.auth.Tokens;
import io.chatpresence.server.cluster.ClusterSupport;
import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.metrics.Metrics;
import io.chatpresence.server.socket.Limits;
import io.chatpresence.server.socket.SocketServer;
import io.chatpresence.server.web.HttpSupport;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The presence server on {@code PRESENCE_PORT} (5000). Every instance keeps the whole online state, built
 * from the socket events that every socket owner (chat and presence) publishes, and tells its own presence
 * sockets about their contacts.
 */
public class PresenceVerticle extends ServiceVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceVerticle.class);

  private PresenceTracker tracker;
  private PresenceSocketHandler handler;
  private Runnable stopMembershipListener = () -> { };
  private long sweepTimer = -1;

  @Override
  protected String name() {
    return "presence";
  }

  @Override
  protected Future<HttpServer> startService(Tokens tokens) {
    return registerConsumers().compose(v -> startServer(tokens));
  }

  @Override
  protected void started(HttpServer listening) {
    // sockets opened before we listened: their owners report them again
    vertx.eventBus().publish(Addresses.PRESENCE_RESYNC, new JsonObject());
    LOG.info("Presence server listening on {}:{}", cfg.getString(ConfigKeys.HTTP_HOST), listening.actualPort());
  }

  private Future<Void> registerConsumers() {
    handler = new PresenceSocketHandler(registry, new ContactStore(pool, cfg.getInteger(ConfigKeys.CONTACT_GROUP_MAX_MEMBERS)));
    EventBus bus = vertx.eventBus();
    tracker = new PresenceTracker(vertx, cfg.getLong(ConfigKeys.PRESENCE_GRACE_MS),
      cfg.getLong(ConfigKeys.PRESENCE_SOURCE_TTL_MS), handler,
      source -> bus.publish(Addresses.PRESENCE_RESYNC, new JsonObject().put("source", source)));
    tracker.onlineCount(Metrics.of(vertx).onlineUsers());
    handler.tracker(tracker);
    MessageConsumer<JsonObject> sockets = bus.consumer(Addresses.PRESENCE_SOCKETS, msg -> tracker.apply(
      msg.body().getString("username"), msg.body().getString("source"), msg.body().getString("node"),
      msg.body().getInteger("delta")));
    MessageConsumer<JsonObject> snapshots = bus.consumer(Addresses.PRESENCE_SNAPSHOT, msg ->
      tracker.snapshot(msg.body().getString("source"), msg.body().getString("node"), msg.body().getLong("published"),
        msg.body().getJsonObject("counts")));
    MessageConsumer<JsonObject> heartbeats = bus.consumer(Addresses.PRESENCE_HEARTBEAT, msg ->
      tracker.heartbeat(msg.body().getString("source"), msg.body().getString("node"), msg.body().getLong("published")));
    stopMembershipListener = ClusterSupport.onMembershipChange(vertx, tracker::nodeAdded, node -> {
      LOG.info("Cluster member {} left: its sockets no longer count", node);
      tracker.dropNode(node);
    });
    long sweepMs = Math.max(250, cfg.getLong(ConfigKeys.PRESENCE_HEARTBEAT_MS) / 2);
    sweepTimer = vertx.setPeriodic(sweepMs, t -> tracker.sweep());
    MessageConsumer<JsonObject> status = bus.consumer(Addresses.PRESENCE_STATUS, msg -> {
      JsonObject statuses = new JsonObject();
      msg.body().getJsonArray("usernames").forEach(u -> statuses.put(String.valueOf(u),
        tracker.isOnline(String.valueOf(u)) ? PresenceSocketHandler.ONLINE : PresenceSocketHandler.OFFLINE));
      msg.reply(new JsonObject().put("statuses", statuses));
    });
    MessageConsumer<JsonObject> contacts = bus.consumer(Addresses.CONTACTS_CHANGED, msg -> handler.contactsAdded(msg.body()));
    return Future.all(List.of(sockets.completion(), snapshots.completion(), heartbeats.completion(),
        status.completion(), contacts.completion()))
      .compose(v -> registry.registerConsumers());
  }

  private Future<HttpServer> startServer(Tokens tokens) {
    SocketServer sockets = new SocketServer(vertx, Limits.from(cfg), new Authenticator(tokens, pool), registry, handler)
      .metrics(Metrics.of(vertx).sockets("presence"));
    Router router = Router.router(vertx);
    HttpSupport.addHealthRoutes(router, pool);
    router.get("/").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8")
      .end("Presence server. Connect a WebSocket to this address and send AUTH first.\n"));
    server = HttpSupport.webSocketServer(vertx, cfg, ConfigKeys.PRESENCE_PORT, sockets, router);
    return server.listen();
  }

  @Override
  protected void stopping() {
    stopMembershipListener.run();
    vertx.cancelTimer(sweepTimer);
  }
}
