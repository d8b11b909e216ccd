package io.chatpresence.common.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Loads a verticle's config: defaults, then its deployment config ({@code -conf}), then the environment. */
public final class AppConfig {
  private AppConfig() {
  }

  public static Future<JsonObject> load(Vertx vertx, JsonObject deploymentConfig) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
      .setScanPeriod(0)
      .addStore(json(ConfigKeys.defaults()))
      .addStore(json(deploymentConfig == null ? new JsonObject() : deploymentConfig))
      .addStore(new ConfigStoreOptions().setType("env")
        .setConfig(new JsonObject().put("keys", new JsonArray(ConfigKeys.all()))));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig().andThen(ar -> retriever.close());
  }

  private static ConfigStoreOptions json(JsonObject config) {
    return new ConfigStoreOptions().setType("json").setConfig(config.copy());
  }
}
