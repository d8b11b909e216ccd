package io.chatpresence.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU seconds (user + system) of one process so far, and of the whole machine (busy and idle), from /proc: what
 * tells which side of a run (server, generator, database) used the cores. NaN where /proc cannot be read.
 */
final class ProcCpu {
  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  private ProcCpu() {
  }

  /** utime + stime of {@code pid}, all its threads. */
  static double seconds(long pid) {
    try {
      return seconds(fields(Path.of("/proc", Long.toString(pid))));
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /**
   * utime + stime of the threads of {@code pid} whose name starts with one of {@code names} (a thread's name as
   * the kernel keeps it, 15 characters: "C2 CompilerThre", "GC Thread#0"): what the JIT or the collector took.
   */
  static double threadSeconds(long pid, String... names) {
    double sum = 0;
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String comm = Files.readString(task.resolve("comm")).trim();
          for (String name : names) {
            if (comm.startsWith(name)) {
              sum += seconds(fields(task));
              break;
            }
          }
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
      return sum;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** The fields of {@code /proc/<pid>/stat} after the command name: state(0) ppid(1) ... utime(11) stime(12). */
  static String[] fields(Path proc) throws IOException {
    String stat = Files.readString(proc.resolve("stat"));
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
  }

  /** utime + stime from a process's {@link #fields}. */
  static double seconds(String[] fields) {
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
  }

  /** The machine's CPU seconds so far, all cores: {busy, idle} (idle includes iowait). */
  static double[] machine() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      long idle = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        long v = Long.parseLong(f[i]);
        if (i == 4 || i == 5) {
          idle += v;
        } else {
          busy += v;
        }
      }
      return new double[] {busy / TICKS_PER_SECOND, idle / TICKS_PER_SECOND};
    } catch (IOException | RuntimeException e) {
      return new double[] {Double.NaN, Double.NaN};
    }
  }
}
