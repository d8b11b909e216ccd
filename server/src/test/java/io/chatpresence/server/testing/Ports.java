package io.chatpresence.server.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

public final class Ports {
  /**
   * Ports already handed out by this JVM. When most ephemeral ports are taken (a busy machine, benchmarks),
   * the kernel can give the same free port to two binds in a row; two servers given one port in one process
   * would then share it (Vert.x shares a port between servers of one instance) and answer each other's clients.
   */
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private Ports() {
  }

  /** A port free on 127.0.0.1 right now, and not returned before in this JVM. */
  public static int free() {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no port free that was not handed out already");
  }
}
