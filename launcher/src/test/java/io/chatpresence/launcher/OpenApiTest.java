package io.chatpresence.launcher;

import io.chatpresence.chat.api.ApiContract;
import io.chatpresence.chat.api.RestApi;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.web.HttpSupport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import io.vertx.openapi.validation.ValidatedResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /api/openapi.json} against the real routes: the document lists exactly the routes that RestApi and
 * the health/metrics support mount (method and path), and every operation called on a running server answers
 * with a status the document lists and a body its schema accepts (checked by vertx-openapi's ResponseValidator).
 */
class OpenApiTest {
  private static Vertx vertx;
  private static TestServer server;
  private static JsonObject doc;
  private static ResponseValidator responses;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    server = new TestServer(vertx, new JsonObject()).start();
    Rest.Response r = server.rest.get(RestApi.OPENAPI_PATH, null);
    assertEquals(200, r.status());
    doc = r.json();
    responses = ResponseValidator.create(vertx, TestServer.await(OpenAPIContract.from(vertx, doc.copy())));
  }

  @AfterAll
  static void tearDown() {
    server.stop();
    TestServer.await(vertx.close());
  }

  @Test
  void documentsExactlyTheRoutesTheServersMount() {
    assertTrue(doc.getString("openapi").startsWith("3."), doc.getString("openapi"));
    Router router = new RestApi(vertx, null, null, null, null, null, null).router(TestServer.await(ApiContract.load(vertx)));
    HttpSupport.addHealthRoutes(router, null, null);
    Set<String> mounted = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      if (route.methods() == null || route.methods().isEmpty()) {
        continue; // body handler, bearer check, the 404 fallback: every method under /api/*
      }
      for (HttpMethod method : route.methods()) {
        mounted.add(method.name() + " " + route.getPath());
      }
    }
    Set<String> documented = new TreeSet<>();
    doc.getJsonObject("paths").forEach(path -> ((JsonObject) path.getValue()).fieldNames()
      .forEach(method -> documented.add(method.toUpperCase(Locale.ROOT) + " "
        // OpenAPI's path templates ({name}) are the router's parameters (:name)
        + path.getKey().replaceAll("\\{([^}]+)}", ":$1"))));
    assertEquals(mounted, documented);
  }

  @Test
  void everyOperationAnswersAsDocumented() {
    Rest rest = server.rest;
    String name = "api_" + System.nanoTime() % 1_000_000;
    JsonObject credentials = new JsonObject().put("username", name).put("password", "password-" + name);
    String token = check("post", "/api/auth/register", rest.post("/api/auth/register", credentials, null), 201).getString("token");
    check("post", "/api/auth/register", rest.post("/api/auth/register", credentials, null), 409);
    check("post", "/api/auth/register", rest.postRaw("/api/auth/register", "[]", null), 400);
    check("post", "/api/auth/login", rest.post("/api/auth/login", credentials, null), 200);
    check("post", "/api/auth/login", rest.post("/api/auth/login", credentials.copy().put("password", "wrong-password"), null), 401);
    check("get", "/api/me", rest.get("/api/me", token), 200);
    check("get", "/api/me", rest.get("/api/me", null), 401);
    TestServer.User other = server.newUser("api_other");
    check("get", "/api/users", rest.get("/api/users?q=api_", token), 200);
    check("get", "/api/users", rest.get("/api/users?q=" + "x".repeat(33), token), 400);
    check("post", "/api/chats", rest.post("/api/chats", new JsonObject().put("with", other.name()), token), 200);
    check("post", "/api/chats", rest.post("/api/chats", new JsonObject().put("with", name), token), 400);
    check("post", "/api/chats", rest.post("/api/chats", new JsonObject().put("with", "nobody_" + name), token), 404);
    check("get", "/api/chats", rest.get("/api/chats", token), 200);
    check("post", "/api/groups", rest.post("/api/groups", new JsonObject().put("name", "OpenAPI"), token), 201);
    check("post", "/api/groups", rest.post("/api/groups", new JsonObject().put("name", ""), token), 400);
    check("get", "/api/groups", rest.get("/api/groups", token), 200);
    JsonObject inbox = check("get", "/api/inbox", rest.get("/api/inbox?limit=1", token), 200);
    check("get", "/api/inbox", rest.get("/api/inbox?cursor=" + inbox.getString("next"), token), 200);
    check("get", "/api/inbox", rest.get("/api/inbox?limit=0", token), 400);
    check("get", "/api/inbox", rest.get("/api/inbox", null), 401);
    check("post", "/api/blocks", rest.post("/api/blocks", new JsonObject().put("username", other.name()), token), 204);
    check("post", "/api/blocks", rest.post("/api/blocks", new JsonObject().put("username", name), token), 400);
    check("post", "/api/blocks", rest.post("/api/blocks", new JsonObject().put("username", "nobody_" + name), token), 404);
    check("get", "/api/blocks", rest.get("/api/blocks", token), 200);
    check("get", "/api/blocks", rest.get("/api/blocks", null), 401);
    check("delete", "/api/blocks/{username}", rest.delete("/api/blocks/" + other.name(), null, token), 204);
    check("delete", "/api/blocks/{username}", rest.delete("/api/blocks/" + name, null, token), 400);
    check("get", "/api/openapi.json", rest.get("/api/openapi.json", null), 200);
    for (int port : new int[] {server.chatPort, server.presencePort}) {
      Rest ops = new Rest(port);
      check("get", "/health", ops.get("/health", null), 200);
      check("get", "/ready", ops.get("/ready", null), 200);
      Rest.Response metrics = ops.get("/metrics", null);
      assertEquals(200, metrics.status());
      assertNotNull(doc.getJsonObject("paths").getJsonObject("/metrics").getJsonObject("get").getJsonObject("responses")
        .getJsonObject("200").getJsonObject("content").getJsonObject("text/plain"));
    }
    check("post", "/api/auth/logout", rest.post("/api/auth/logout", null, token), 204);
    check("post", "/api/auth/logout", rest.post("/api/auth/logout", null, token), 401);
  }

  /** The status is one the operation documents, and the body conforms to its schema (vertx-openapi checks). */
  private static JsonObject check(String method, String path, Rest.Response r, int expected) {
    assertEquals(expected, r.status(), () -> method + " " + path + ": " + r.body());
    String operationId = doc.getJsonObject("paths").getJsonObject(path).getJsonObject(method).getString("operationId");
    ValidatableResponse response = r.body().isEmpty() ? ValidatableResponse.create(r.status())
      : ValidatableResponse.create(r.status(), Buffer.buffer(r.body()), "application/json");
    ValidatedResponse validated = assertDoesNotThrow(() -> TestServer.await(responses.validate(response, operationId)),
      () -> method + " " + path + " " + r.status() + ": " + r.body());
    assertTrue(validated.getBody().isNull() == r.body().isEmpty(),
      () -> method + " " + path + ": a body where none is documented");
    return r.body().startsWith("{") ? new JsonObject(r.body()) : null;
  }
}
