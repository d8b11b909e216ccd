package io.chatpresence.launcher.reliability;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A scenario's figures: printed as one line and appended to {@code target/reliability/results.md}.
 * {@code reliability.scale=full} runs the sizes of docs/reliability.md; the default, {@code short}, the CI sizes.
 */
final class Figures {
  private final String scenario;
  private final Map<String, Object> values = new LinkedHashMap<>();

  Figures(String scenario) {
    this.scenario = scenario;
  }

  static boolean full() {
    return "full".equals(System.getProperty("reliability.scale", "short"));
  }

  static int size(int shortSize, int fullSize) {
    return full() ? fullSize : shortSize;
  }

  Figures put(String name, Object value) {
    values.put(name, value);
    return this;
  }

  void report() {
    StringBuilder line = new StringBuilder("RELIABILITY " + scenario + " (" + (full() ? "full" : "short") + "):");
    values.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
    System.out.println(line);
    try {
      Path dir = Path.of("target", "reliability");
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("results.md"), "- " + Instant.now() + " " + line.substring(12) + "\n",
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Heap in use after a full collection, in MB (the server runs in this JVM for in-process scenarios). */
  static long heapAfterGcMb() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
  }

  static double percentile(long[] sortedNanos, double p) {
    if (sortedNanos.length == 0) {
      return 0;
    }
    return sortedNanos[Math.min(sortedNanos.length - 1, (int) (sortedNanos.length * p))] / 1e6;
  }
}
