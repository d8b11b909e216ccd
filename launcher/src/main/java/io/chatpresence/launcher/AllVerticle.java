package io.chatpresence.launcher;

import io.chatpresence.chat.ChatVerticle;
import io.chatpresence.presence.PresenceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** Chat and presence in one process: {@code bin/vertx run all}. They share the config and one database. */
public class AllVerticle extends VerticleBase {

  @Override
  public Future<?> start() {
    DeploymentOptions options = new DeploymentOptions().setConfig(config());
    return vertx.deployVerticle(ChatVerticle.class, options)
      .compose(id -> vertx.deployVerticle(PresenceVerticle.class, options));
  }
}
