package io.chatpresence.launcher;

import io.chatpresence.launcher.db.EmbeddedDatabase;
import io.chatpresence.launcher.db.Migrations;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/vertx run db}: embedded PostgreSQL alone, migrated, for several nodes to share. Prints the
 * {@code PG_URL} to give them and runs until stopped (SIGTERM / Ctrl-C).
 */
public final class DatabaseMain {
  private DatabaseMain() {
  }

  public static void main(String[] args) throws Exception {
    String dataDir = env("DATA_DIR", "./data");
    int port = Integer.parseInt(env("PG_PORT", "5433"));
    EmbeddedDatabase db = EmbeddedDatabase.start(Path.of(dataDir, "pg"), port);
    Migrations.migrate(db.url());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        db.close();
      } catch (Exception e) {
        System.err.println("Stopping PostgreSQL failed: " + e);
      }
      stopped.countDown();
    }));
    System.out.println("PG_URL=" + db.url());
    System.out.flush();
    stopped.await();
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
