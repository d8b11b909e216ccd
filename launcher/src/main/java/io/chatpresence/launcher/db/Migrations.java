package io.chatpresence.launcher.db;

import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;

/**
 * The schema (Flyway, {@code classpath:db/migration} from the server module) brought up to date before any
 * verticle is deployed. PostgreSQL's advisory lock keeps nodes starting together from racing. Blocking.
 */
public final class Migrations {
  private Migrations() {
  }

  public static void migrate(String pgUrl) {
    PgConnectOptions o = PgConnectOptions.fromUri(pgUrl);
    String jdbc = "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
    Flyway.configure()
      .dataSource(jdbc, o.getUser(), o.getPassword())
      .locations("classpath:db/migration")
      .load()
      .migrate();
  }
}
