package io.chatpresence.launcher;

import io.chatpresence.launcher.cluster.HazelcastConfig;
import io.chatpresence.launcher.db.DatabaseBootstrap;
import io.chatpresence.server.config.AppConfig;
import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.metrics.Metrics;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar chat-presence.jar [verticle] [-conf ..] [-instances ..] [-cluster] [-cluster-port ..]}: the
 * Vert.x launcher, as {@code vertx run} was, with one safety net: unless told otherwise the event bus of a cluster
 * binds 127.0.0.1 (set {@code CLUSTER_HOST} or {@code -cluster-host} for a real network). Vert.x metrics
 * (Micrometer, Prometheus, JVM) are on unless {@code METRICS_ENABLED=false}; the Hazelcast config is
 * {@code VERTX_HAZELCAST_CONFIG} (or {@code -Dvertx.hazelcast.config}), default cluster.xml on the classpath.
 */
public final class Launcher implements VertxApplicationHooks {
  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

  /** This process's database: embedded PostgreSQL when no {@code PG_URL} is set; migrated either way. */
  private final DatabaseBootstrap database = new DatabaseBootstrap();

  public static void main(String[] args) {
    System.setProperty("hazelcast.logging.type", System.getProperty("hazelcast.logging.type", "slf4j"));
    System.setProperty("hazelcast.phone.home.enabled", "false");
    String hazelcastConfig = System.getenv(ConfigKeys.VERTX_HAZELCAST_CONFIG);
    if (System.getProperty(HazelcastConfig.CONFIG_PROPERTY) == null && hazelcastConfig != null && !hazelcastConfig.isBlank()) {
      System.setProperty(HazelcastConfig.CONFIG_PROPERTY, hazelcastConfig);
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
      .withClusterManager(new HazelcastClusterManager(HazelcastConfig.load(System.getenv(ConfigKeys.CLUSTER_NAME))));
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
  }

  /**
   * Before the verticle: the database is started (when embedded) and migrated, and its URL handed to the
   * verticles in their config, so that they only build a pool from {@code PG_URL}. Runs on the main thread.
   */
  @Override
  public void beforeDeployingVerticle(HookContext context) {
    DeploymentOptions options = context.deploymentOptions();
    JsonObject config = options.getConfig() == null ? new JsonObject() : options.getConfig();
    try {
      JsonObject effective = AppConfig.load(context.vertx(), config).await(5, TimeUnit.MINUTES);
      String url = database.prepare(effective);
      if (!url.equals(effective.getString(ConfigKeys.PG_URL))) {
        // embedded: the verticles learn its URL here (a configured one they read as the launcher did)
        options.setConfig(config.put(ConfigKeys.PG_URL, url));
      }
    } catch (Exception e) {
      LOG.error("The database could not be prepared: {}", e.toString());
      database.close();
      throw new IllegalStateException("the database could not be prepared", e);
    }
  }

  /** A verticle that failed to start: the process is about to exit, and embedded PostgreSQL must not outlive it. */
  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable t) {
    database.close();
  }

  /** After every verticle has stopped (sockets closed, pools closed): embedded PostgreSQL goes with the process. */
  @Override
  public void afterVertxStopped(HookContext context) {
    database.close();
  }
}
