package io.chatpresence.presence;

import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.protocol.bus.ResyncRequest;
import io.chatpresence.protocol.bus.StatusReply;
import io.chatpresence.server.ServiceVerticle;
import io.chatpresence.server.auth.Authenticator;
import io.chatpresence.server.cluster.ClusterSupport;
import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.metrics.Metrics;
import io.chatpresence.server.socket.Limits;
import io.chatpresence.server.socket.SocketServer;
import io.chatpresence.server.web.HttpSupport;
import io.chatpresence.server.web.Peer;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The presence server on {@code PRESENCE_PORT} (5000). Every instance keeps the whole online state, built
 * from the socket events that every socket owner (chat and presence) publishes, and tells its own presence
 * sockets about their contacts.
 */
public class PresenceVerticle extends ServiceVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceVerticle.class);
  private static final Peer CHAT = new Peer("chat", Bus.CHAT_PING);

  private Services services;
  private PresenceTracker tracker;
  private PresenceSocketHandler handler;
  private Runnable stopMembershipListener = () -> { };
  private long sweepTimer = -1;

  @Override
  protected String name() {
    return "presence";
  }

  @Override
  protected Future<HttpServer> startService(Services services) {
    this.services = services;
    JsonObject cfg = services.cfg();
    EventBus bus = vertx.eventBus();
    ContactStore contacts = new ContactStore(services.pool(), cfg.getInteger(ConfigKeys.CONTACT_GROUP_MAX_MEMBERS));
    ContactUpdates updates = new ContactUpdates(services.registry(), contacts);
    tracker = new PresenceTracker(vertx, cfg.getLong(ConfigKeys.PRESENCE_GRACE_MS),
      cfg.getLong(ConfigKeys.PRESENCE_SOURCE_TTL_MS), updates,
      source -> Bus.PRESENCE_RESYNC.publish(bus, new ResyncRequest(source)), Metrics.of(vertx).onlineUsers());
    handler = new PresenceSocketHandler(services.registry(), contacts, tracker, updates);
    return registerConsumers()
      .compose(v -> startServer())
      .onSuccess(this::started);
  }

  private void started(HttpServer listening) {
    // sockets opened before we listened: their owners report them again
    Bus.PRESENCE_RESYNC.publish(vertx.eventBus(), ResyncRequest.ALL);
    CHAT.checkAtStart(vertx, "presence");
    LOG.info("Presence server listening on {}:{}", services.cfg().getString(ConfigKeys.HTTP_HOST), listening.actualPort());
  }

  private Future<Void> registerConsumers() {
    EventBus bus = vertx.eventBus();
    stopMembershipListener = ClusterSupport.onMembershipChange(vertx, tracker::nodeAdded, node -> {
      LOG.info("Cluster member {} left: its sockets no longer count", node);
      tracker.dropNode(node);
    });
    long sweepMs = Math.max(250, services.cfg().getLong(ConfigKeys.PRESENCE_HEARTBEAT_MS) / 2);
    sweepTimer = vertx.setPeriodic(sweepMs, t -> tracker.sweep());
    return Future.all(List.of(
        Bus.PRESENCE_SOCKETS.consumer(bus, tracker::apply).completion(),
        Bus.PRESENCE_SNAPSHOT.consumer(bus, tracker::snapshot).completion(),
        Bus.PRESENCE_HEARTBEAT.consumer(bus, tracker::heartbeat).completion(),
        Bus.PRESENCE_STATUS.replier(bus, query -> {
          Map<String, String> statuses = new HashMap<>();
          query.usernames().forEach(u -> statuses.put(u, tracker.isOnline(u) ? ContactUpdates.ONLINE : ContactUpdates.OFFLINE));
          return new StatusReply(statuses);
        }).completion(),
        Bus.CONTACTS_CHANGED.consumer(bus, handler::contactsChanged).completion(),
        Peer.answer(vertx, Bus.PRESENCE_PING, "presence").completion()))
      .compose(v -> services.registry().registerConsumers());
  }

  private Future<HttpServer> startServer() {
    SocketServer sockets = new SocketServer(vertx, Limits.from(services.cfg()),
      new Authenticator(services.tokens(), services.pool()), services.registry(), handler)
      .metrics(Metrics.of(vertx).sockets("presence"));
    Router router = Router.router(vertx);
    HttpSupport.addHealthRoutes(router, services.pool(), CHAT);
    router.get("/").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8")
      .end("Presence server. Connect a WebSocket to this address and send AUTH first.\n"));
    return HttpSupport.webSocketServer(vertx, services.cfg(), ConfigKeys.PRESENCE_PORT, sockets, router).listen();
  }

  @Override
  protected void stopping() {
    stopMembershipListener.run();
    vertx.cancelTimer(sweepTimer);
  }
}
