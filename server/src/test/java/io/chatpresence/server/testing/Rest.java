package io.chatpresence.server.testing;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small blocking REST client for tests. */
public final class Rest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final int port;
  private final Duration timeout;

  public Rest(int port) {
    this(port, Duration.ofSeconds(20));
  }

  private Rest(int port, Duration timeout) {
    this.port = port;
    this.timeout = timeout;
  }

  /** The same client with another per-request timeout (a call that works through much data, e.g. an erasure). */
  public Rest withTimeout(Duration timeout) {
    return new Rest(port, timeout);
  }

  public record Response(int status, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public io.vertx.core.json.JsonArray array() {
      return new io.vertx.core.json.JsonArray(body);
    }
  }

  public Response post(String path, JsonObject body, String token) {
    return send(builder(path, token).POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body.encode())));
  }

  public Response postRaw(String path, String body, String token) {
    return send(builder(path, token).POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public Response get(String path, String token) {
    return send(builder(path, token).GET());
  }

  public Response put(String path, String token) {
    return send(builder(path, token).PUT(HttpRequest.BodyPublishers.noBody()));
  }

  public Response delete(String path, JsonObject body, String token) {
    return send(builder(path, token).method("DELETE",
      body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  /** Registers and returns the token; fails unless 201. */
  public String register(String username, String password) {
    Response r = post("/api/auth/register", new JsonObject().put("username", username).put("password", password), null);
    if (r.status() != 201) {
      throw new AssertionError("register " + username + ": " + r.status() + " " + r.body());
    }
    return r.json().getString("token");
  }

  private HttpRequest.Builder builder(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
      .timeout(timeout).header("Content-Type", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private static Response send(HttpRequest.Builder b) {
    try {
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
