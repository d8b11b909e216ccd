package io.chatpresence.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU seconds (user + system) used so far by the embedded PostgreSQL: its postmaster (named by postmaster.pid)
 * and every process whose parent it is (backends, walwriter, checkpointer, ...), read from /proc. Backends that
 * ended meanwhile are not counted: the bench's connections live through a run, so the difference of two readings
 * is what PostgreSQL spent between them.
 */
final class PgCpu {
  private PgCpu() {
  }

  static double seconds(Path pgDataDir) {
    try {
      long postmaster = Long.parseLong(Files.readAllLines(pgDataDir.resolve("postmaster.pid")).get(0).trim());
      double seconds = 0;
      try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
        for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
          String[] f;
          try {
            f = ProcCpu.fields(proc);
          } catch (IOException gone) {
            continue;
          }
          long pid = Long.parseLong(proc.getFileName().toString());
          if (pid == postmaster || Long.parseLong(f[1]) == postmaster) {
            seconds += ProcCpu.seconds(f);
          }
        }
      }
      return seconds;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
