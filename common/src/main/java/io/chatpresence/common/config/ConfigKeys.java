package io.chatpresence.common.config;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Every setting, with its default. Keys are the environment variable names, so one name works in
 * {@code conf/*.json}, in {@code -conf} and in the environment (which wins).
 */
public final class ConfigKeys {
  private ConfigKeys() {
  }

  public static final String HTTP_HOST = "HTTP_HOST";
  public static final String CHAT_PORT = "CHAT_PORT";
  public static final String PRESENCE_PORT = "PRESENCE_PORT";
  public static final String PG_URL = "PG_URL";
  public static final String DATA_DIR = "DATA_DIR";
  public static final String DB_POOL_SIZE = "DB_POOL_SIZE";
  public static final String JWT_SECRET = "JWT_SECRET";
  public static final String JWT_TTL_SECONDS = "JWT_TTL_SECONDS";
  public static final String PASSWORD_ITERATIONS = "PASSWORD_ITERATIONS";
  public static final String MAX_FRAME_BYTES = "MAX_FRAME_BYTES";
  public static final String MAX_CONTENT_CHARS = "MAX_CONTENT_CHARS";
  public static final String MAX_JSON_DEPTH = "MAX_JSON_DEPTH";
  public static final String RATE_PER_SECOND = "RATE_PER_SECOND";
  public static final String RATE_BURST = "RATE_BURST";
  public static final String MAX_SOCKETS_PER_USER = "MAX_SOCKETS_PER_USER";
  public static final String AUTH_TIMEOUT_MS = "AUTH_TIMEOUT_MS";
  public static final String MAX_WRITE_QUEUE_BYTES = "MAX_WRITE_QUEUE_BYTES";
  public static final String HISTORY_DEFAULT_LIMIT = "HISTORY_DEFAULT_LIMIT";
  public static final String HISTORY_MAX_LIMIT = "HISTORY_MAX_LIMIT";
  public static final String PRESENCE_GRACE_MS = "PRESENCE_GRACE_MS";
  public static final String CONTACT_GROUP_MAX_MEMBERS = "CONTACT_GROUP_MAX_MEMBERS";
  public static final String PRESENCE_HEARTBEAT_MS = "PRESENCE_HEARTBEAT_MS";
  public static final String PRESENCE_SOURCE_TTL_MS = "PRESENCE_SOURCE_TTL_MS";
  public static final String WEB_ROOT = "WEB_ROOT";

  /** The defaults: what runs with no conf file and no environment. */
  public static JsonObject defaults() {
    return new JsonObject()
      .put(HTTP_HOST, "127.0.0.1")
      .put(CHAT_PORT, 4000)
      .put(PRESENCE_PORT, 5000)
      .put(DATA_DIR, "./data")
      .put(DB_POOL_SIZE, 8)
      .put(JWT_TTL_SECONDS, 86_400)
      .put(PASSWORD_ITERATIONS, 210_000)
      .put(MAX_FRAME_BYTES, 64 * 1024)
      .put(MAX_CONTENT_CHARS, 4_000)
      .put(MAX_JSON_DEPTH, 16)
      .put(RATE_PER_SECOND, 20.0)
      .put(RATE_BURST, 40)
      .put(MAX_SOCKETS_PER_USER, 10)
      .put(AUTH_TIMEOUT_MS, 10_000L)
      .put(MAX_WRITE_QUEUE_BYTES, 256 * 1024)
      .put(HISTORY_DEFAULT_LIMIT, 50)
      .put(HISTORY_MAX_LIMIT, 200)
      .put(PRESENCE_GRACE_MS, 3_000L)
      .put(CONTACT_GROUP_MAX_MEMBERS, 100)
      .put(PRESENCE_HEARTBEAT_MS, 2_000L)
      .put(PRESENCE_SOURCE_TTL_MS, 6_000L)
      .put(WEB_ROOT, "webroot");
  }

  /** The keys read from the environment: the defaults' keys plus the ones with no default. */
  public static List<String> all() {
    List<String> keys = new java.util.ArrayList<>(defaults().fieldNames());
    keys.add(PG_URL);
    keys.add(JWT_SECRET);
    return keys;
  }
}
