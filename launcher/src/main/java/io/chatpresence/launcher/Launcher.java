package io.chatpresence.launcher;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;

/**
 * {@code java -jar chat-presence.jar [verticle] [-conf ..] [-instances ..] [-cluster]}: the Vert.x launcher,
 * as {@code vertx run} was, with one safety net: unless told otherwise the event bus of a cluster binds
 * 127.0.0.1 (set {@code CLUSTER_HOST} or {@code -cluster-host} for a real network).
 */
public final class Launcher implements VertxApplicationHooks {

  public static void main(String[] args) {
    System.setProperty("hazelcast.logging.type", System.getProperty("hazelcast.logging.type", "slf4j"));
    System.setProperty("hazelcast.phone.home.enabled", "false");
    int exitCode = new VertxApplication(args, new Launcher()).launch();
    if (exitCode != 0) {
      System.exit(exitCode);
    }
  }

  /** Vert.x would otherwise pick the first non-loopback interface for the event bus. */
  @Override
  public void beforeStartingVertx(HookContext context) {
    EventBusOptions eventBus = context.vertxOptions().getEventBusOptions();
    if (eventBus.getHost() == null) {
      String host = System.getenv("CLUSTER_HOST");
      eventBus.setHost(host == null || host.isBlank() ? "127.0.0.1" : host);
    }
  }
}
