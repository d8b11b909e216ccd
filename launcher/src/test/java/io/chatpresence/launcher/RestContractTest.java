package io.chatpresence.launcher;

import io.chatpresence.server.testing.Rest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The REST answers the hand-written checks gave, now that api/openapi.json validates requests and mounts the
 * bearer check: the same status, error code and message for each kind of bad request.
 */
class RestContractTest {
  @RegisterExtension
  static final TestServer server = TestServer.perClass(new JsonObject());
  private static final Rest rest = server.rest;

  private static void refused(Rest.Response r, int status, String code, String message) {
    assertEquals(status, r.status(), r.body());
    assertEquals(code, r.json().getString("error"), r.body());
    assertEquals(message, r.json().getString("message"), r.body());
  }

  private static JsonObject credentials(String username, String password) {
    return new JsonObject().put("username", username).put("password", password);
  }

  @Test
  void registerRefusesEachFieldWithItsRule() {
    String usernameRule = "username must be 3 to 32 of A-Z a-z 0-9 _ . -";
    refused(rest.post("/api/auth/register", credentials("ab", "password1"), null), 400, "INVALID", usernameRule);
    refused(rest.post("/api/auth/register", credentials("trailing_newline\n", "password1"), null), 400, "INVALID", usernameRule);
    refused(rest.post("/api/auth/register", new JsonObject().put("password", "password1"), null), 400, "INVALID", usernameRule);
    refused(rest.post("/api/auth/register", new JsonObject().put("username", 42).put("password", "password1"), null),
      400, "INVALID", usernameRule);
    refused(rest.post("/api/auth/register", credentials("short_pw", "short"), null), 400, "INVALID",
      "password must be 8 to 128 characters");
    refused(rest.postRaw("/api/auth/register", "[]", null), 400, "INVALID", "body must be a JSON object");
    refused(rest.postRaw("/api/auth/register", "{nope", null), 400, "INVALID", "body must be a JSON object");
    refused(rest.postRaw("/api/auth/register", "", null), 400, "INVALID", "body must be a JSON object");
  }

  @Test
  void loginAnswersMalformedCredentialsLikeWrongOnes() {
    String wrong = "invalid username or password";
    refused(rest.post("/api/auth/login", credentials("bad name!", "password1"), null), 401, "AUTH_FAILED", wrong);
    refused(rest.post("/api/auth/login", credentials("someone", "x".repeat(129)), null), 401, "AUTH_FAILED", wrong);
    refused(rest.post("/api/auth/login", new JsonObject().put("username", 7), null), 401, "AUTH_FAILED", wrong);
    refused(rest.postRaw("/api/auth/login", "[]", null), 400, "INVALID", "body must be a JSON object");
  }

  @Test
  void aBodyWithoutContentTypeIsReadAsJson() throws Exception {
    String name = "noct_" + System.nanoTime() % 1_000_000;
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.chatPort + "/api/auth/register"))
      .POST(HttpRequest.BodyPublishers.ofString(credentials(name, "password1").encode())).build();
    HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(201, r.statusCode(), r.body());
  }

  @Test
  void theBearerIsCheckedBeforeTheBody() {
    refused(rest.post("/api/chats", new JsonObject().put("with", 1), null), 401, "AUTH_FAILED", "missing bearer token");
    refused(rest.post("/api/groups", new JsonObject(), "garbage"), 401, "AUTH_FAILED", "invalid or expired token");
    refused(rest.get("/api/nothing-here", null), 401, "AUTH_FAILED", "missing bearer token");
  }

  @Test
  void chatsGroupsAndSearchRefuseWithTheirRules() {
    TestServer.User me = server.newUser("rules");
    String with = "'with' must be another user's username";
    refused(rest.post("/api/chats", new JsonObject().put("with", "x"), me.token()), 400, "INVALID", with);
    refused(rest.post("/api/chats", new JsonObject(), me.token()), 400, "INVALID", with);
    refused(rest.post("/api/chats", new JsonObject().put("with", me.name()), me.token()), 400, "INVALID", with);
    String name = "name must be 1 to 100 characters, without NUL";
    refused(rest.post("/api/groups", new JsonObject().put("name", ""), me.token()), 400, "INVALID", name);
    refused(rest.post("/api/groups", new JsonObject().put("name", "   "), me.token()), 400, "INVALID", name);
    refused(rest.post("/api/groups", new JsonObject().put("name", "a\u0000b"), me.token()), 400, "INVALID", name);
    refused(rest.post("/api/groups", new JsonObject().put("name", "x".repeat(101)), me.token()), 400, "INVALID", name);
    Rest.Response padded = rest.post("/api/groups", new JsonObject().put("name", "  " + "y".repeat(100) + "  "), me.token());
    assertEquals(201, padded.status(), "the rule applies to the stored, stripped name");
    String q = "q is at most 32 characters, without NUL";
    refused(rest.get("/api/users?q=" + "x".repeat(33), me.token()), 400, "INVALID", q);
    refused(rest.get("/api/users?q=a%00b", me.token()), 400, "INVALID", q);
    for (String prefix : new String[] {"1.5", "-1", "true", "%25", "%2B", "%22"}) {
      assertEquals(200, rest.get("/api/users?q=" + prefix, me.token()).status(), prefix);
    }
  }

  @Test
  void aBodyOverTheLimitIsRefusedInTheErrorFormat() {
    Rest.Response r = rest.postRaw("/api/auth/login", "{\"username\":\"" + "x".repeat(70_000) + "\"}", null);
    assertEquals(413, r.status(), r.body());
    assertEquals("TOO_LARGE", r.json().getString("error"));
  }
}
