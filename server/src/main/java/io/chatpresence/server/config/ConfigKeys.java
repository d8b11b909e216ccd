package io.chatpresence.server.config;

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
  /** Message insert batches committing at once per chat verticle instance, each in its conversations' lane. */
  public static final String DB_INSERT_BATCHES = "DB_INSERT_BATCHES";
  /** How long a lane's next insert batch may wait for more messages when few wait (0: not at all). */
  public static final String DB_INSERT_HOLD_MICROS = "DB_INSERT_HOLD_MICROS";
  /** The same for read marks, edits and deletions (each kind its own lanes). */
  public static final String DB_WRITE_BATCHES = "DB_WRITE_BATCHES";
  /** How long a lane's next read-mark batch waits for more marks after each batch (0: not at all). */
  public static final String DB_MARK_HOLD_MICROS = "DB_MARK_HOLD_MICROS";
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
  /** How often each authenticated socket gets a WebSocket ping (0: never); spread over the interval. */
  public static final String PING_INTERVAL_MS = "PING_INTERVAL_MS";
  /** A socket that sends nothing (no pong, no frame) this long after a ping is cut: its client vanished. */
  public static final String PONG_TIMEOUT_MS = "PONG_TIMEOUT_MS";
  public static final String HISTORY_DEFAULT_LIMIT = "HISTORY_DEFAULT_LIMIT";
  public static final String HISTORY_MAX_LIMIT = "HISTORY_MAX_LIMIT";
  public static final String PRESENCE_GRACE_MS = "PRESENCE_GRACE_MS";
  public static final String CONTACT_GROUP_MAX_MEMBERS = "CONTACT_GROUP_MAX_MEMBERS";
  public static final String PRESENCE_HEARTBEAT_MS = "PRESENCE_HEARTBEAT_MS";
  public static final String PRESENCE_SOURCE_TTL_MS = "PRESENCE_SOURCE_TTL_MS";
  public static final String WEB_ROOT = "WEB_ROOT";
  /** Origins allowed to call the REST API from a browser: a comma-separated list or {@code *}; empty: same-origin only. */
  public static final String CORS_ALLOWED_ORIGINS = "CORS_ALLOWED_ORIGINS";
  /** The external identity provider (contract "External identity provider"); unset: our own tokens only. */
  public static final String OIDC_ISSUER = "OIDC_ISSUER";
  public static final String JWKS_URL = "JWKS_URL";
  public static final String JWT_ISSUER = "JWT_ISSUER";
  public static final String JWT_AUDIENCE = "JWT_AUDIENCE";
  public static final String JWT_USERNAME_CLAIM = "JWT_USERNAME_CLAIM";
  /** The least time between two fetches of the provider's keys (an unknown kid refetches). */
  public static final String JWKS_MIN_REFETCH_MS = "JWKS_MIN_REFETCH_MS";
  /** {@code false}: built-in register and login are off (accounts come from the identity provider). */
  public static final String LOCAL_LOGIN = "LOCAL_LOGIN";
  /** The server-side API's keys (comma or whitespace separated); unset: every {@code /api/admin/} path is 404. */
  public static final String ADMIN_API_KEYS = "ADMIN_API_KEYS";
  /** Secrets may instead be read from a file (a mounted Kubernetes Secret): {@code KEY_FILE} wins over {@code KEY}. */
  public static final String FILE_SUFFIX = "_FILE";
  public static final String JWT_SECRET_FILE = JWT_SECRET + FILE_SUFFIX;
  public static final String PG_URL_FILE = PG_URL + FILE_SUFFIX;
  /** The database password, put into {@code PG_URL}'s user info, so that the URL itself need not be secret. */
  public static final String PG_PASSWORD = "PG_PASSWORD";
  public static final String PG_PASSWORD_FILE = PG_PASSWORD + FILE_SUFFIX;
  /** {@code text} (default) or {@code json}: one JSON object per log line (logback's JsonEncoder). */
  public static final String LOG_FORMAT = "LOG_FORMAT";
  /** The root log level; unset leaves logback.xml's (INFO). */
  public static final String LOG_LEVEL = "LOG_LEVEL";

  /** The settings whose value may come from a file named by {@code KEY_FILE}. */
  public static final List<String> SECRETS = List.of(JWT_SECRET, PG_URL, PG_PASSWORD, ADMIN_API_KEYS);

  /**
   * Read from the environment by the launcher before any verticle config exists (so not from conf/*.json):
   * the cluster's event-bus host, its name, the Hazelcast config, and whether Vert.x metrics are on.
   */
  public static final String CLUSTER_HOST = "CLUSTER_HOST";
  public static final String CLUSTER_NAME = "CLUSTER_NAME";
  public static final String VERTX_HAZELCAST_CONFIG = "VERTX_HAZELCAST_CONFIG";
  public static final String METRICS_ENABLED = "METRICS_ENABLED";
  public static final List<String> PROCESS_ENV = List.of(CLUSTER_HOST, CLUSTER_NAME, VERTX_HAZELCAST_CONFIG,
    METRICS_ENABLED, LOG_FORMAT, LOG_LEVEL);

  /** The defaults: what runs with no conf file and no environment. */
  public static JsonObject defaults() {
    return new JsonObject()
      .put(HTTP_HOST, "127.0.0.1")
      .put(CHAT_PORT, 4000)
      .put(PRESENCE_PORT, 5000)
      .put(DATA_DIR, "./data")
      .put(DB_POOL_SIZE, 8)
      .put(DB_INSERT_BATCHES, 1)
      .put(DB_INSERT_HOLD_MICROS, 0)
      .put(DB_WRITE_BATCHES, 2)
      .put(DB_MARK_HOLD_MICROS, 100_000)
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
      .put(PING_INTERVAL_MS, 20_000L)
      .put(PONG_TIMEOUT_MS, 10_000L)
      .put(HISTORY_DEFAULT_LIMIT, 50)
      .put(HISTORY_MAX_LIMIT, 200)
      .put(PRESENCE_GRACE_MS, 3_000L)
      .put(CONTACT_GROUP_MAX_MEMBERS, 100)
      .put(PRESENCE_HEARTBEAT_MS, 2_000L)
      .put(PRESENCE_SOURCE_TTL_MS, 6_000L)
      .put(WEB_ROOT, "webroot")
      .put(JWT_USERNAME_CLAIM, "preferred_username")
      .put(JWKS_MIN_REFETCH_MS, 30_000L)
      .put(LOCAL_LOGIN, true)
      .put(LOG_FORMAT, "text");
  }

  /** The keys read from the environment: the defaults' keys plus the ones with no default. */
  public static List<String> all() {
    List<String> keys = new java.util.ArrayList<>(defaults().fieldNames());
    keys.add(PG_URL);
    keys.add(JWT_SECRET);
    keys.add(PG_PASSWORD);
    keys.add(LOG_LEVEL);
    keys.add(CORS_ALLOWED_ORIGINS);
    keys.addAll(List.of(OIDC_ISSUER, JWKS_URL, JWT_ISSUER, JWT_AUDIENCE, ADMIN_API_KEYS));
    SECRETS.forEach(k -> keys.add(k + FILE_SUFFIX));
    return keys;
  }
}
