package io.chatpresence.common.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

public final class Ports {
  private Ports() {
  }

  /** A port free on 127.0.0.1 right now. */
  public static int free() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
