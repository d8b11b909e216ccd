package io.chatpresence.launcher.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Embedded PostgreSQL (real binaries from a Maven jar) with its data in a folder that survives restarts.
 * Blocking: call it from a worker thread.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts (initialising the folder on first use); a postmaster orphaned by a crash is stopped first. */
  public static EmbeddedDatabase start(Path dataDir, int port) throws IOException {
    return start(dataDir, port, Map.of());
  }

  /** The same with more server settings (benchmarks load pg_stat_statements this way). */
  public static EmbeddedDatabase start(Path dataDir, int port, Map<String, String> settings) throws IOException {
    Files.createDirectories(dataDir);
    stopOrphan(dataDir);
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
      .setDataDirectory(dataDir)
      .setCleanDataDirectory(false)
      .setPGStartupWait(Duration.ofSeconds(60))
      .setServerConfig("listen_addresses", "localhost")
      .setServerConfig("max_connections", "200")
      // zonky's defaults are for throwaway test databases (-F, synchronous_commit=off): an acknowledged
      // message must survive a crash, so commits wait for the WAL flush
      .setServerConfig("fsync", "on")
      .setServerConfig("synchronous_commit", "on");
    settings.forEach(builder::setServerConfig);
    if (port > 0) {
      builder.setPort(port);
    }
    EmbeddedPostgres postgres = builder.start();
    LOG.info("Embedded PostgreSQL on port {} with data in {}", postgres.getPort(), dataDir.toAbsolutePath());
    return new EmbeddedDatabase(postgres);
  }

  public int port() {
    return postgres.getPort();
  }

  /** The URL in the form {@code PG_URL} takes. */
  public String url() {
    return "postgresql://postgres@localhost:" + port() + "/postgres";
  }

  @Override
  public void close() throws IOException {
    postgres.close();
    LOG.info("Embedded PostgreSQL stopped");
  }

  /**
   * A SIGKILL of our process leaves PostgreSQL running on its own (it detaches). Its pid file names it;
   * ask it to stop (SIGTERM, a smart shutdown that completes at once with no clients left) and wait.
   */
  private static void stopOrphan(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    } catch (RuntimeException e) {
      return;
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid)
      .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
    if (handle.isEmpty()) {
      return;
    }
    LOG.warn("Stopping PostgreSQL (pid {}) left running by an earlier crash", pid);
    ProcessHandle process = handle.get();
    process.destroy();
    try {
      process.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      process.onExit().join();
    }
  }
}
