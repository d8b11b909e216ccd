package io.chatpresence.bench;

import io.vertx.core.json.JsonObject;

import java.util.concurrent.locks.LockSupport;

/**
 * Which side used the cores during a measured window: the server process, this process (the generator), and the
 * rest of the machine (PostgreSQL, anything else), from /proc at the window's start and end. On a machine the sides
 * share, this says which one would saturate first with cores of its own: its CPU per delivery.
 */
final class CpuSplit {
  private final Thread sampler;
  private final double[] start = new double[4];
  private final double[] end = new double[4];
  private volatile double seconds;

  private CpuSplit(long serverPid, long fromNanos, long toNanos) {
    long self = ProcessHandle.current().pid();
    sampler = new Thread(() -> {
      sleepUntil(fromNanos);
      read(serverPid, self, start);
      long t0 = System.nanoTime();
      sleepUntil(toNanos);
      read(serverPid, self, end);
      seconds = (System.nanoTime() - t0) / 1e9;
    }, "cpu-split");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Starts sampling: a reading at {@code fromNanos} and one at {@code toNanos} ({@link System#nanoTime()}). */
  static CpuSplit over(long serverPid, long fromNanos, long toNanos) {
    return new CpuSplit(serverPid, fromNanos, toNanos);
  }

  /** Cores each side used over the window, and its CPU per delivery at {@code deliveredPerSecond}. */
  JsonObject figures(double deliveredPerSecond) {
    try {
      sampler.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    double s = Math.max(1e-9, seconds);
    double server = (end[0] - start[0]) / s;
    double generator = (end[1] - start[1]) / s;
    double busy = (end[2] - start[2]) / s;
    double idle = (end[3] - start[3]) / s;
    double perDelivery = deliveredPerSecond > 0 ? 1e6 / deliveredPerSecond : Double.NaN;
    return new JsonObject().put("windowSeconds", s)
      .put("serverCores", server).put("generatorCores", generator).put("otherCores", busy - server - generator)
      .put("idleCores", idle)
      .put("serverUsPerDelivery", server * perDelivery).put("generatorUsPerDelivery", generator * perDelivery);
  }

  private static void read(long serverPid, long self, double[] into) {
    into[0] = ProcCpu.seconds(serverPid);
    into[1] = ProcCpu.seconds(self);
    double[] machine = ProcCpu.machine();
    into[2] = machine[0];
    into[3] = machine[1];
  }

  private static void sleepUntil(long nanos) {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }
}
