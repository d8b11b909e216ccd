package io.chatpresence.server.testing;

import io.chatpresence.server.db.EmbeddedDatabase;

import java.nio.file.Files;
import java.nio.file.Path;

/** One embedded PostgreSQL per test JVM, started on first use and stopped when the JVM exits. */
public final class TestDatabase {
  private static EmbeddedDatabase database;

  private TestDatabase() {
  }

  public static synchronized String url() {
    if (database == null) {
      try {
        Path dir = Files.createTempDirectory("chat-test-pg");
        database = EmbeddedDatabase.start(dir, 0);
        EmbeddedDatabase started = database;
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
    return database.url();
  }
}
