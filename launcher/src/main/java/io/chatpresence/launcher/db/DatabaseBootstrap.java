package io.chatpresence.launcher.db;

import io.chatpresence.server.config.ConfigKeys;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * What the process does about PostgreSQL before it deploys a verticle: with no {@code PG_URL}, start embedded
 * PostgreSQL under {@code DATA_DIR/pg} and hand its URL to the verticles; in either case migrate the schema.
 * The verticles then only build a pool from {@code PG_URL}. One per process (owned by the launcher); blocking.
 */
public final class DatabaseBootstrap implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseBootstrap.class);

  private EmbeddedDatabase embedded;

  /**
   * Makes the database of {@code config} (the effective config: conf file, environment, secrets) ready and
   * returns its URL: the configured one, or the embedded server's.
   */
  public String prepare(JsonObject config) throws Exception {
    String url = config.getString(ConfigKeys.PG_URL);
    if (url == null || url.isBlank()) {
      embedded = EmbeddedDatabase.start(Path.of(config.getString(ConfigKeys.DATA_DIR), "pg"), 0);
      url = embedded.url();
    }
    Migrations.migrate(url);
    return url;
  }

  /** Stops embedded PostgreSQL, if this process started it; call after the verticles have stopped. */
  @Override
  public void close() {
    if (embedded == null) {
      return;
    }
    try {
      embedded.close();
    } catch (Exception e) {
      LOG.warn("Stopping embedded PostgreSQL failed: {}", e.toString());
    }
    embedded = null;
  }
}
