package io.chatpresence.launcher.reliability.netns;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Byte pumps between TCP and Unix-domain sockets: the only way from the test JVM (in the host's network
 * namespace, where it may use loopback only) into a namespace the test made. A Unix socket named by a path is
 * not bound to a network namespace, so a {@link NsForwarder} inside a namespace and the test JVM outside meet
 * on files under a directory of the run. Plain blocking I/O, two threads per connection: the scenarios hold a
 * few hundred connections at most. JDK classes only, so that the forwarder starts from the test classes alone.
 */
final class Pipes {
  private Pipes() {
  }

  /** A listening Unix-domain socket at {@code path} (replacing a stale file). */
  static ServerSocketChannel listenUnix(Path path) throws IOException {
    Files.deleteIfExists(path);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    return server;
  }

  static SocketChannel connectUnix(Path path) throws IOException {
    return SocketChannel.open(UnixDomainSocketAddress.of(path));
  }

  /** Reads the one header line a connection starts with ({@code host:port}), byte by byte (nothing read past it). */
  static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0 || line.length() > 200) {
        throw new IOException("no header line");
      }
      line.append((char) b);
    }
    return line.toString();
  }

  static void writeLine(OutputStream out, String line) throws IOException {
    out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /**
   * Copies both ways until either side ends, then closes both: an end on one side (a FIN, a reset, a killed
   * process) becomes an end on the other.
   */
  static void splice(String name, InputStream aIn, OutputStream aOut, InputStream bIn, OutputStream bOut,
                     AutoCloseable a, AutoCloseable b) {
    Runnable closeBoth = () -> {
      closeQuietly(a);
      closeQuietly(b);
    };
    daemon(name + "-up", () -> copy(aIn, bOut, closeBoth));
    daemon(name + "-down", () -> copy(bIn, aOut, closeBoth));
  }

  static void splice(String name, SocketChannel unix, java.net.Socket tcp) throws IOException {
    splice(name, in(unix), out(unix), tcp.getInputStream(), tcp.getOutputStream(), unix, tcp);
  }

  /**
   * A stream reading the channel directly: JDK 17's {@code Channels.newInputStream} holds the channel's blocking
   * lock while it waits in a read, which would stop the other thread's writes.
   */
  static InputStream in(SocketChannel ch) {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n;
        do {
          n = ch.read(ByteBuffer.wrap(b, off, len));
        } while (n == 0);
        return n;
      }
    };
  }

  static OutputStream out(SocketChannel ch) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (buffer.hasRemaining()) {
          ch.write(buffer);
        }
      }
    };
  }

  private static void copy(InputStream in, OutputStream out, Runnable end) {
    byte[] buffer = new byte[16 * 1024];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // the other side ended
    } finally {
      end.run();
    }
  }

  static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // already closed
    }
  }
}
