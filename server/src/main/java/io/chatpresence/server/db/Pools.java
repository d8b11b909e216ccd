package io.chatpresence.server.db;

import io.chatpresence.server.config.ConfigKeys;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/**
 * The verticles' PostgreSQL pool, built from {@code PG_URL} (the launcher has started and migrated the database
 * before any verticle is deployed). Shared by name: the verticle instances of one Vert.x use one pool of
 * {@code DB_POOL_SIZE} connections; each closes its handle when it stops, and the pool closes with the last.
 */
public final class Pools {
  public static final String POOL_NAME = "chat-presence-db";
  /** Far longer than any statement of the product (the longest are a few thousand characters). */
  static final int MAX_SQL_LENGTH = 65_536;

  private Pools() {
  }

  public static Pool create(Vertx vertx, JsonObject config) {
    String url = config.getString(ConfigKeys.PG_URL);
    if (url == null || url.isBlank()) {
      throw new IllegalStateException(ConfigKeys.PG_URL + " is not set: start the product with bin/vertx, which starts"
        + " embedded PostgreSQL when no database is configured");
    }
    return PgBuilder.pool()
      .with(new PoolOptions()
        .setShared(true)
        .setName(POOL_NAME)
        .setMaxSize(config.getInteger(ConfigKeys.DB_POOL_SIZE)))
      .connectingTo(connectOptions(url))
      .using(vertx)
      .build();
  }

  /**
   * Every statement is prepared once per connection. The client's default caches only SQL shorter than 2,048
   * characters; the batch insert, the mark batch and the inbox are longer, and PostgreSQL parsed, analysed and
   * planned each of their executions again (docs/performance.md). All SQL of the product is constant text: the
   * cache (256 statements per connection) holds a fixed set of fewer than a hundred.
   */
  public static PgConnectOptions connectOptions(String url) {
    return PgConnectOptions.fromUri(url).setCachePreparedStatements(true).setPreparedStatementCacheSqlLimit(MAX_SQL_LENGTH)
      .setPipeliningLimit(256);
  }
}
