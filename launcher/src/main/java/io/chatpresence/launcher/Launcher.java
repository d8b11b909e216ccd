package io.chatpresence.launcher;

import io.chatpresence.server.cluster.ClusterSupport;
import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;

/**
 * {@code java -jar chat-presence.jar [verticle] [-conf ..] [-instances ..] [-cluster] [-cluster-port ..]}: the
 * Vert.x launcher, as {@code vertx run} was, with one safety net: unless told otherwise the event bus of a cluster
 * binds 127.0.0.1 (set {@code CLUSTER_HOST} or {@code -cluster-host} for a real network). Vert.x metrics
 * (Micrometer, Prometheus, JVM) are on unless {@code METRICS_ENABLED=false}; the Hazelcast config is
 * {@code VERTX_HAZELCAST_CONFIG} (or {@code -Dvertx.hazelcast.config}), default cluster.xml on the classpath.
 */
public final class Launcher implements VertxApplicationHooks {

  public static void main(String[] args) {
    System.setProperty("hazelcast.logging.type", System.getProperty("hazelcast.logging.type", "slf4j"));
    System.setProperty("hazelcast.phone.home.enabled", "false");
    String hazelcastConfig = System.getenv(ConfigKeys.VERTX_HAZELCAST_CONFIG);
    if (System.getProperty(ClusterSupport.CONFIG_PROPERTY) == null && hazelcastConfig != null && !hazelcastConfig.isBlank()) {
      System.setProperty(ClusterSupport.CONFIG_PROPERTY, hazelcastConfig);
    }
    int exitCode = new VertxApplication(args, new Launcher()).launch();
    if (exitCode != 0) {
      System.exit(exitCode);
    }
  }

  /**
   * In {@code -cluster} mode: Hazelcast with the config of {@code vertx.hazelcast.config} (bin/vertx points
   * it at conf/cluster.xml), renamed by {@code CLUSTER_NAME} so that separate clusters can share a machine.
   */
  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    boolean metrics = !"false".equalsIgnoreCase(System.getenv(ConfigKeys.METRICS_ENABLED));
    return (metrics ? Metrics.vertxBuilder(options) : Vertx.builder().with(options))
      .withClusterManager(new HazelcastClusterManager(ClusterSupport.hazelcastConfig(System.getenv(ConfigKeys.CLUSTER_NAME))));
  }

  /**
   * Vert.x would otherwise pick the first non-loopback interface for the event bus. Netty's native epoll
   * transport when it loads (Linux x86-64; NIO otherwise): measured in docs/performance.md.
   */
  @Override
  public void beforeStartingVertx(HookContext context) {
    context.vertxOptions().setPreferNativeTransport(true);
    EventBusOptions eventBus = context.vertxOptions().getEventBusOptions();
    if (eventBus.getHost() == null) {
      String host = System.getenv(ConfigKeys.CLUSTER_HOST);
      eventBus.setHost(host == null || host.isBlank() ? "127.0.0.1" : host);
    }
    // Vert.x keeps its event-bus connection to a member until a ping goes unanswered (20 s + 20 s) and
    // connects with a 60 s time-out. Across a partition that meant queueing into a TCP connection whose
    // retransmissions had backed off to ~10 s, so after the heal presence waited that long for the other
    // side's heartbeats (bin/reliability partition): drop a dead connection within 6 s, give up a connect in 3 s.
    eventBus.setClusterPingInterval(3_000).setClusterPingReplyInterval(3_000).setConnectTimeout(3_000);
  }
}
