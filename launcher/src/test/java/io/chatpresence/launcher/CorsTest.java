package io.chatpresence.launcher;

import io.chatpresence.server.config.ConfigKeys;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CORS_ALLOWED_ORIGINS: preflights answered before any authentication for the listed origins, other origins
 * refused, the page's own origin and non-browser clients unaffected. (e2e/tests/cors.test.mjs does it in Chromium.)
 */
@ExtendWith(VertxExtension.class)
class CorsTest {
  private static final String APP = "http://localhost:5173";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static TestServer server;

  @BeforeAll
  static void deploy(Vertx vertx) {
    server = new TestServer(vertx, new JsonObject()
      .put(ConfigKeys.CORS_ALLOWED_ORIGINS, " https://cdn.example.com , " + APP + "/")).start();
  }

  @AfterAll
  static void undeploy() {
    server.stop();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder to(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.chatPort + path));
  }

  private static HttpRequest.Builder preflight(String path, String origin) {
    return to(path).method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", origin)
      .header("Access-Control-Request-Method", "POST")
      .header("Access-Control-Request-Headers", "authorization,content-type");
  }

  @Test
  void aListedOriginsPreflightIsAnsweredBeforeAuthentication() throws Exception {
    HttpResponse<String> r = send(preflight("/api/chats", APP));
    assertEquals(204, r.statusCode());
    assertEquals(APP, r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    String headers = r.headers().firstValue("Access-Control-Allow-Headers").orElse("");
    assertTrue(headers.contains("Authorization") && headers.contains("Content-Type"), headers);
    assertTrue(r.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));
    assertEquals(204, send(preflight("/api/auth/login", "https://cdn.example.com")).statusCode());
  }

  @Test
  void theActualRequestCarriesTheHeaderAndStillNeedsItsToken() throws Exception {
    HttpResponse<String> r = send(to("/api/me").header("Origin", APP));
    assertEquals(401, r.statusCode(), "CORS is no authentication");
    assertEquals(APP, r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    TestServer.User user = server.newUser("cors");
    HttpResponse<String> me = send(to("/api/me").header("Origin", APP).header("Authorization", "Bearer " + user.token()));
    assertEquals(200, me.statusCode());
  }

  @Test
  void anotherOriginIsRefused() throws Exception {
    HttpResponse<String> r = send(preflight("/api/auth/login", "http://evil.example"));
    assertEquals(403, r.statusCode());
    assertEquals("FORBIDDEN", new JsonObject(r.body()).getString("error"));
    HttpResponse<String> post = send(to("/api/auth/login").header("Origin", "http://evil.example")
      .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertEquals(403, post.statusCode());
    assertNull(post.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
  }

  @Test
  void thePagesOwnOriginAndClientsWithoutOriginAreUnaffected() throws Exception {
    String own = "http://127.0.0.1:" + server.chatPort;
    HttpResponse<String> r = send(to("/api/auth/login").header("Origin", own).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"nobody_cors\",\"password\":\"whatever-123\"}")));
    assertEquals(401, r.statusCode(), "reaches the API: " + r.body());
    assertEquals(200, send(to("/health")).statusCode());
  }
}
