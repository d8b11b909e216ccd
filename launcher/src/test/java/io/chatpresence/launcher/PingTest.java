package io.chatpresence.launcher;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebSocket pings (issue 17): a client that stops answering is cut after PONG_TIMEOUT_MS and its contacts see it
 * go offline; a client that answers (every real WebSocket client does, by itself) stays. Short intervals here;
 * the vanished client over a real cut link is the reliability scenario {@code vanish}.
 */
@ExtendWith(VertxExtension.class)
class PingTest {
  private static final long INTERVAL_MS = 400;
  private static final long TIMEOUT_MS = 400;
  private static TestServer server;

  @BeforeAll
  static void deploy(Vertx vertx) {
    server = new TestServer(vertx, new JsonObject().put(ConfigKeys.PING_INTERVAL_MS, INTERVAL_MS)
      .put(ConfigKeys.PONG_TIMEOUT_MS, TIMEOUT_MS)).start();
  }

  @AfterAll
  static void undeploy() {
    server.stop();
  }

  private static void contacts(TestServer.User a, TestServer.User b) {
    assertEquals(200, server.rest.post("/api/chats", new JsonObject().put("with", b.name()), a.token()).status());
  }

  @Test
  void aClientThatAnswersNoPingIsCutCountedAndShownOffline() throws Exception {
    TestServer.User alice = server.newUser("pingalice");
    TestServer.User bob = server.newUser("pingbob");
    contacts(alice, bob);
    double cutBefore = Scrape.of(server.chatPort).sum("chatpresence_sockets_unresponsive_total", "server", "chat");
    try (WsClient alicePresence = server.presence(alice); DeafClient deaf = DeafClient.authenticated(server.chatPort,
      bob.token())) {
      assertEquals("online", alicePresence.until(f -> bob.name().equals(f.getString("username"))).getString("status"));
      long silentSince = System.nanoTime();
      JsonObject offline = alicePresence.until(f -> bob.name().equals(f.getString("username")));
      double seconds = (System.nanoTime() - silentSince) / 1e9;
      assertEquals("offline", offline.getString("status"));
      // ping within one interval, cut one timeout later (a tick late at most), then the 600 ms grace
      assertTrue(seconds < 10, "offline after " + seconds + " s");
      assertTrue(deaf.sawPing(), "the server sent no ping");
      await().atMost(Duration.ofSeconds(10)).until(() -> Scrape.of(server.chatPort)
        .sum("chatpresence_sockets_unresponsive_total", "server", "chat") >= cutBefore + 1);
    }
  }

  @Test
  void aClientThatAnswersStaysConnectedAndOnline() {
    TestServer.User alice = server.newUser("pongalice");
    TestServer.User carol = server.newUser("pongcarol");
    contacts(alice, carol);
    try (WsClient alicePresence = server.presence(alice); WsClient carolChat = server.chat(carol)) {
      assertEquals("online", alicePresence.until(f -> carol.name().equals(f.getString("username"))).getString("status"));
      // five intervals plus timeouts without a frame from carol: only her client's automatic pongs
      List<JsonObject> seen = new ArrayList<>();
      await().during(Duration.ofMillis(5 * (INTERVAL_MS + TIMEOUT_MS))).atMost(Duration.ofSeconds(30)).until(() -> {
        seen.addAll(alicePresence.pending());
        return !carolChat.isClosed() && seen.stream().noneMatch(f -> carol.name().equals(f.getString("username")));
      });
      assertFalse(carolChat.isClosed(), "the answering client was cut");
      assertTrue(seen.stream().noneMatch(f -> carol.name().equals(f.getString("username"))), seen.toString());
      carolChat.send(new JsonObject().put("type", "ONE_TO_ONE_CHAT").put("to", alice.name()).put("content", "still here"));
      assertEquals("SUCCESS", carolChat.until(f -> !"PRESENCE_UPDATE".equals(f.getString("type"))).getString("type"));
    }
  }

  /**
   * A WebSocket client that authenticates and then goes silent: it never answers a ping, like a phone that left
   * coverage (over loopback the connection itself stays up, so only the pings can tell). Raw frames over a plain
   * socket, because every WebSocket library answers pings by itself.
   */
  static final class DeafClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private volatile boolean sawPing;

    private DeafClient(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
    }

    static DeafClient authenticated(int port, String token) throws IOException {
      Socket socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      DeafClient c = new DeafClient(socket);
      OutputStream out = socket.getOutputStream();
      String key = Base64.getEncoder().encodeToString("deaf-client-key!".getBytes(StandardCharsets.US_ASCII));
      out.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String headers = c.readHeaders();
      assertTrue(headers.startsWith("HTTP/1.1 101"), headers);
      out.write(maskedText(new JsonObject().put("type", "AUTH").put("token", token).encode()));
      out.flush();
      String answer = c.nextText();
      assertEquals("SUCCESS", new JsonObject(answer).getString("type"), answer);
      // from here on frames are read (so that the server's writes never block) but never answered
      Thread reader = new Thread(() -> {
        try {
          while (true) {
            c.nextText();
          }
        } catch (IOException | RuntimeException end) {
          // the server cut the connection
        }
      }, "deaf-client");
      reader.setDaemon(true);
      reader.start();
      return c;
    }

    boolean sawPing() {
      return sawPing;
    }

    private String readHeaders() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      while (!b.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        int x = in.read();
        if (x < 0) {
          throw new IOException("closed during the handshake");
        }
        b.write(x);
      }
      return b.toString(StandardCharsets.US_ASCII);
    }

    /** The next text frame (server frames are unmasked and, here, never fragmented); pings are noted, not answered. */
    private String nextText() throws IOException {
      while (true) {
        int b0 = readByte();
        int len = readByte() & 0x7f;
        if (len == 126) {
          len = (readByte() << 8) | readByte();
        } else if (len == 127) {
          throw new IOException("frame too large for this test client");
        }
        byte[] payload = in.readNBytes(len);
        int opcode = b0 & 0x0f;
        if (opcode == 0x9) {
          sawPing = true;
        } else if (opcode == 0x8) {
          throw new IOException("closed by the server");
        } else if (opcode == 0x1) {
          return new String(payload, StandardCharsets.UTF_8);
        }
      }
    }

    private int readByte() throws IOException {
      int x = in.read();
      if (x < 0) {
        throw new IOException("end of stream");
      }
      return x;
    }

    private static byte[] maskedText(String text) {
      byte[] payload = text.getBytes(StandardCharsets.UTF_8);
      byte[] mask = {1, 2, 3, 4};
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      frame.write(0x81);
      if (payload.length < 126) {
        frame.write(0x80 | payload.length);
      } else {
        frame.write(0x80 | 126);
        frame.write(payload.length >> 8);
        frame.write(payload.length & 0xff);
      }
      frame.writeBytes(mask);
      for (int i = 0; i < payload.length; i++) {
        frame.write(payload[i] ^ mask[i % 4]);
      }
      return frame.toByteArray();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
