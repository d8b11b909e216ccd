package io.chatpresence.launcher;

import io.chatpresence.server.testing.Rest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/** The product started as users start it, {@code bin/vertx run ...}, in its own process group. */
public final class Launched {
  public static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

  private Launched() {
  }

  public static Process start(Path log, Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("setsid", ROOT.resolve("bin/vertx").toString(), "run"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile())
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().keySet().removeIf(k -> k.equals("PG_URL") || k.equals("JWT_SECRET"));
    pb.environment().putAll(env);
    return pb.start();
  }

  public static void awaitReady(Process p, int port, Path log) {
    Rest rest = new Rest(port);
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
      if (!p.isAlive()) {
        throw new AssertionError("process exited: " + Files.readString(log));
      }
      try {
        return rest.get("/ready", null).status() == 200;
      } catch (RuntimeException notYet) {
        return false;
      }
    });
  }

  /** SIGTERM to each process still running, SIGKILL of its group if it has not stopped within 30 s. */
  public static void stopAll(List<Process> processes) throws Exception {
    for (Process p : processes) {
      if (p.isAlive()) {
        p.destroy();
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
          killGroup(p);
        }
      }
    }
  }

  /** SIGKILL of the whole process group (setsid made the launched process its leader). */
  public static void killGroup(Process p) throws Exception {
    new ProcessBuilder("kill", "-9", "--", "-" + p.pid()).start().waitFor();
  }
}
