package io.chatpresence.server.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;

import java.nio.file.Files;
import java.time.Duration;

/**
 * One embedded PostgreSQL per test JVM, migrated, started on first use and stopped when the JVM exits. The
 * verticles only build a pool from {@code PG_URL}: starting and migrating the database is the launcher's job in
 * the product and this class's in tests.
 */
public final class TestDatabase {
  private static EmbeddedPostgres database;

  private TestDatabase() {
  }

  public static synchronized String url() {
    if (database == null) {
      try {
        database = EmbeddedPostgres.builder()
          .setDataDirectory(Files.createTempDirectory("chat-test-pg"))
          .setPGStartupWait(Duration.ofSeconds(60))
          .setServerConfig("listen_addresses", "localhost")
          .setServerConfig("max_connections", "200")
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .start();
        migrate(database);
        EmbeddedPostgres started = database;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            started.close();
          } catch (Exception ignored) {
            // the JVM is going away
          }
        }));
      } catch (Exception e) {
        throw new IllegalStateException("embedded PostgreSQL did not start", e);
      }
    }
    return "postgresql://postgres@localhost:" + database.getPort() + "/postgres";
  }

  private static void migrate(EmbeddedPostgres postgres) {
    Flyway.configure()
      .dataSource("jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres", "postgres", null)
      .locations("classpath:db/migration")
      .load()
      .migrate();
  }
}
