package io.chatpresence.server.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a verticle's config: defaults, then its deployment config ({@code -conf}), then the environment. Then
 * secrets: {@code KEY_FILE} (a mounted Secret) replaces {@code KEY} for {@link ConfigKeys#SECRETS}, and
 * {@code PG_PASSWORD} goes into {@code PG_URL}. Finally the log settings are applied ({@link Logging}).
 */
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
    return retriever.getConfig().andThen(ar -> retriever.close())
      .compose(config -> vertx.executeBlocking(() -> resolveSecrets(config), false))
      .andThen(ar -> {
        if (ar.succeeded()) {
          Logging.apply(ar.result());
        }
      });
  }

  /** Blocking (reads files). Fails when a {@code KEY_FILE} cannot be read: a missing mount is a broken deployment. */
  public static JsonObject resolveSecrets(JsonObject config) throws java.io.IOException {
    for (String key : ConfigKeys.SECRETS) {
      String file = config.getString(key + ConfigKeys.FILE_SUFFIX);
      if (file != null && !file.isBlank()) {
        Path path = Path.of(file);
        if (!Files.isReadable(path)) {
          throw new IllegalStateException(key + ConfigKeys.FILE_SUFFIX + " names " + file + ", which cannot be read");
        }
        config.put(key, Files.readString(path, StandardCharsets.UTF_8).strip());
      }
    }
    String password = config.getString(ConfigKeys.PG_PASSWORD);
    String url = config.getString(ConfigKeys.PG_URL);
    if (password != null && !password.isEmpty() && url != null && !url.isBlank()) {
      config.put(ConfigKeys.PG_URL, withPassword(url, password));
    }
    return config;
  }

  /** {@code postgresql://user[:old]@host/db} with the password set (URL-encoded, as the PostgreSQL client decodes it). */
  static String withPassword(String url, String password) {
    int scheme = url.indexOf("://");
    int at = url.indexOf('@', scheme + 3);
    int slash = url.indexOf('/', scheme + 3);
    if (scheme < 0 || at < 0 || (slash >= 0 && slash < at)) {
      throw new IllegalStateException("PG_PASSWORD needs a user in PG_URL (postgresql://user@host:port/db)");
    }
    String userInfo = url.substring(scheme + 3, at);
    int colon = userInfo.indexOf(':');
    String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
    // percent-encoded: the client's URI syntax takes only [A-Za-z0-9-._~%!*] there (so no '+' for a space)
    return url.substring(0, scheme + 3) + user + ":"
      + URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20") + url.substring(at);
  }

  private static ConfigStoreOptions json(JsonObject config) {
    return new ConfigStoreOptions().setType("json").setConfig(config.copy());
  }
}
