package io.chatpresence.launcher.reliability.netns;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Runs inside a namespace ({@code ip netns exec NS java ... NsForwarder DIR NAME [PG_PORT]}) and carries the
 * test's connections across the namespace boundary over Unix sockets under DIR:
 * <ul>
 *   <li>{@code DIR/NAME.in}: each connection starts with a line {@code host:port}; the forwarder connects there
 *   from inside the namespace and splices. So the test's clients reach a node as if they sat in NS.</li>
 *   <li>with PG_PORT: {@code 127.0.0.1:PG_PORT} inside NS leads to {@code DIR/pg}, which the test JVM serves
 *   with its PostgreSQL: the database is reachable from every namespace without any address outside them.</li>
 * </ul>
 * Prints {@code READY} once listening; ends when its stdin ends (the test JVM is gone) or when killed, which is
 * how a scenario makes its clients vanish: their connections die inside NS without a FIN passing a cut link.
 */
public final class NsForwarder {
  private NsForwarder() {
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String name = args[1];
    ServerSocketChannel in = Pipes.listenUnix(dir.resolve(name + ".in"));
    Pipes.daemon("accept-in", () -> acceptIn(in));
    if (args.length > 2) {
      ServerSocket pg = new ServerSocket(Integer.parseInt(args[2]), 200, InetAddress.getLoopbackAddress());
      Path pgSocket = dir.resolve("pg");
      Pipes.daemon("accept-pg", () -> acceptPg(pg, pgSocket));
    }
    System.out.println("READY");
    System.out.flush();
    InputStream stdin = System.in;
    while (stdin.read() >= 0) {
      // wait for the end of stdin
    }
    System.exit(0);
  }

  private static void acceptIn(ServerSocketChannel server) {
    while (true) {
      try {
        SocketChannel unix = server.accept();
        Pipes.daemon("in-connect", () -> {
          try {
            String[] target = Pipes.readLine(Pipes.in(unix)).split(":");
            Socket tcp = new Socket(target[0], Integer.parseInt(target[1]));
            tcp.setTcpNoDelay(true);
            Pipes.splice("in", unix, tcp);
          } catch (IOException | RuntimeException e) {
            Pipes.closeQuietly(unix);
          }
        });
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void acceptPg(ServerSocket server, Path pgSocket) {
    while (true) {
      try {
        Socket tcp = server.accept();
        tcp.setTcpNoDelay(true);
        try {
          Pipes.splice("pg", Pipes.connectUnix(pgSocket), tcp);
        } catch (IOException e) {
          Pipes.closeQuietly(tcp);
        }
      } catch (IOException e) {
        return;
      }
    }
  }
}
