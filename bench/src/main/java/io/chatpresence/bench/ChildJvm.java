package io.chatpresence.bench;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM of the benchmark (a server, a part of one, a storm worker), on this JVM's class path. It
 * answers on its standard output with lines {@code TAG {json}}, which {@link #expect} waits for; lines written
 * to it ({@link #tell}) are its orders; it ends when its standard input closes ({@link #close}).
 */
final class ChildJvm implements AutoCloseable {
  private static final String END = "\u0000end";

  final String name;
  private final Process process;
  private final OutputStream orders;
  private final LinkedBlockingQueue<String> answers = new LinkedBlockingQueue<>();

  private ChildJvm(String name, Process process) {
    this.name = name;
    this.process = process;
    this.orders = process.getOutputStream();
  }

  /** Starts {@code mainClass} with {@code jvmOptions} (split at spaces) and the project's module flags. */
  static ChildJvm start(String name, String jvmOptions, Class<?> mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("--add-modules", "java.se", "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED"));
    command.addAll(List.of(jvmOptions.trim().split("\\s+")));
    command.addAll(List.of("-Djava.net.preferIPv4Stack=true", "-Dhazelcast.phone.home.enabled=false",
      "-Dbench.native=" + System.getProperty("bench.native", "true"),
      "-Dbench.relayInstances=" + Integer.getInteger("bench.relayInstances", 1),
      "-cp", System.getProperty("java.class.path"), mainClass.getName()));
    command.addAll(args);
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    ChildJvm child = new ChildJvm(name, process);
    Thread pump = new Thread(child::pump, name + "-output");
    pump.setDaemon(true);
    pump.start();
    return child;
  }

  long pid() {
    return process.pid();
  }

  /** Its tagged answers are queued; errors it prints are shown; the rest (its logs) is dropped. */
  private void pump() {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
      StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.matches("[A-Z]+ \\{.*")) {
          answers.add(line);
        } else if (line.contains("ERROR") || line.contains("Exception")) {
          System.out.println("  [" + name + "] " + line);
        }
      }
    } catch (IOException e) {
      // the process ended; END below says so
    }
    answers.add(END);
  }

  /** Waits for its next answer, which must carry {@code tag}; its JSON. */
  JsonObject expect(String tag, int seconds) {
    String line;
    try {
      line = answers.poll(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (line == null || END.equals(line)) {
      throw new IllegalStateException(name + ": no " + tag + (line == null ? " within " + seconds + " s" : ": it ended"));
    }
    if (!line.startsWith(tag + " ")) {
      throw new IllegalStateException(name + ": expected " + tag + ", got " + line);
    }
    return new JsonObject(line.substring(tag.length() + 1));
  }

  /** Writes one order line to it. */
  void tell(String order) {
    try {
      orders.write((order + "\n").getBytes(StandardCharsets.UTF_8));
      orders.flush();
    } catch (IOException e) {
      throw new IllegalStateException(name + ": " + e, e);
    }
  }

  /** Closes its input (its signal to stop), waits up to a minute, then ends it. */
  @Override
  public void close() {
    try {
      orders.close();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (IOException | InterruptedException e) {
      process.destroy();
    }
  }
}
