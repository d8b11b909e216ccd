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
  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  private PgCpu() {
  }

  static double seconds(Path pgDataDir) {
    try {
      long postmaster = Long.parseLong(Files.readAllLines(pgDataDir.resolve("postmaster.pid")).get(0).trim());
      long ticks = 0;
      try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
        for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
          String stat;
          try {
            stat = Files.readString(proc.resolve("stat"));
          } catch (IOException gone) {
            continue;
          }
          // after the command name in parentheses: state ppid ... utime(14) stime(15)
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long pid = Long.parseLong(proc.getFileName().toString());
          long ppid = Long.parseLong(f[1]);
          if (pid == postmaster || ppid == postmaster) {
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          }
        }
      }
      return ticks / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
