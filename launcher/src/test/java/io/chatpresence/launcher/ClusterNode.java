package io.chatpresence.launcher;

import io.chatpresence.launcher.cluster.HazelcastConfig;
import io.chatpresence.chat.ChatVerticle;
import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.testing.Ports;
import io.chatpresence.server.testing.TestDatabase;
import io.chatpresence.presence.PresenceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import static io.chatpresence.launcher.TestServer.await;

/** One clustered Vert.x node in the test JVM (loopback Hazelcast, the class's own cluster name). */
final class ClusterNode {
  final Vertx vertx;
  final HazelcastClusterManager clusterManager;
  final int chatPort = Ports.free();
  final int presencePort = Ports.free();
  final long joinMillis;

  private ClusterNode(Vertx vertx, HazelcastClusterManager clusterManager, long joinMillis) {
    this.vertx = vertx;
    this.clusterManager = clusterManager;
    this.joinMillis = joinMillis;
  }

  static ClusterNode join(String clusterName) {
    HazelcastClusterManager cm = new HazelcastClusterManager(HazelcastConfig.load(clusterName));
    long start = System.nanoTime();
    Vertx vertx = await(Vertx.builder()
      .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")))
      .withClusterManager(cm)
      .buildClustered());
    return new ClusterNode(vertx, cm, (System.nanoTime() - start) / 1_000_000);
  }

  JsonObject config(JsonObject overrides) {
    return new JsonObject()
      .put(ConfigKeys.PG_URL, TestDatabase.url())
      .put(ConfigKeys.CHAT_PORT, chatPort)
      .put(ConfigKeys.PRESENCE_PORT, presencePort)
      .put(ConfigKeys.JWT_SECRET, TestServer.SECRET)
      .put(ConfigKeys.PASSWORD_ITERATIONS, 1_000)
      .put(ConfigKeys.PRESENCE_GRACE_MS, 600)
      .put(ConfigKeys.PRESENCE_HEARTBEAT_MS, 500)
      .put(ConfigKeys.PRESENCE_SOURCE_TTL_MS, 3_000)
      .mergeIn(overrides);
  }

  ClusterNode withChat() {
    return withChat(new JsonObject());
  }

  ClusterNode withChat(JsonObject overrides) {
    await(vertx.deployVerticle(ChatVerticle.class, new DeploymentOptions().setConfig(config(overrides))));
    return this;
  }

  ClusterNode withPresence() {
    return withPresence(new JsonObject());
  }

  ClusterNode withPresence(JsonObject overrides) {
    await(vertx.deployVerticle(PresenceVerticle.class, new DeploymentOptions().setConfig(config(overrides))));
    return this;
  }

  String nodeId() {
    return clusterManager.getNodeId();
  }

  void close() {
    await(vertx.close());
  }
}
