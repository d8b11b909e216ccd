package io.chatpresence.launcher;

import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.testing.Ports;
import io.chatpresence.server.testing.Rest;
import io.chatpresence.server.testing.TestDatabase;
import io.chatpresence.server.testing.WsClient;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chat and presence deployed together (AllVerticle) against the test JVM's PostgreSQL, on free ports. A test
 * class that needs one server for all its tests registers it as an extension, which deploys it before the first
 * test and undeploys it (and closes its Vert.x) after the last:
 * <pre>{@code @RegisterExtension static final TestServer server = TestServer.perClass(new JsonObject());}</pre>
 */
public final class TestServer implements BeforeAllCallback, AfterAllCallback {
  public static final String SECRET = "test-secret-for-the-suite-0123456789";
  private static final AtomicInteger USERS = new AtomicInteger();
  private static final String RUN = Long.toString(System.nanoTime() % 1_000_000, 36);

  public final Vertx vertx;
  public final int chatPort = Ports.free();
  public final int presencePort = Ports.free();
  public final Rest rest = new Rest(chatPort);
  public final JsonObject config;
  private String deploymentId;

  public record User(String name, String token) {
  }

  public TestServer(Vertx vertx, JsonObject overrides) {
    this.vertx = vertx;
    try {
      this.config = new JsonObject()
        .put(ConfigKeys.PG_URL, TestDatabase.url())
        .put(ConfigKeys.CHAT_PORT, chatPort)
        .put(ConfigKeys.PRESENCE_PORT, presencePort)
        .put(ConfigKeys.JWT_SECRET, SECRET)
        .put(ConfigKeys.PASSWORD_ITERATIONS, 1_000)
        .put(ConfigKeys.AUTH_TIMEOUT_MS, 1_500)
        .put(ConfigKeys.PRESENCE_GRACE_MS, 600)
        .put(ConfigKeys.DATA_DIR, Files.createTempDirectory("chat-test-data").toString())
        .mergeIn(overrides);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A server of the test class's own, on a Vert.x of its own (see the class comment). */
  public static TestServer perClass(JsonObject overrides) {
    return new TestServer(Vertx.vertx(), overrides);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
    await(vertx.close());
  }

  public TestServer start() {
    deploymentId = await(vertx.deployVerticle(AllVerticle.class, new DeploymentOptions().setConfig(config)));
    return this;
  }

  public void stop() {
    if (deploymentId != null) {
      await(vertx.undeploy(deploymentId));
      deploymentId = null;
    }
  }

  /** A new user with a name unique to this run. */
  public User newUser(String prefix) {
    String name = prefix + "_" + RUN + "_" + USERS.incrementAndGet();
    return new User(name, rest.register(name, "password-" + name));
  }

  /** Clients run on their own Vert.x, as real clients do: never on the server's event loops. */
  private static Vertx clients;

  public static synchronized Vertx clients() {
    if (clients == null) {
      clients = Vertx.vertx();
    }
    return clients;
  }

  public WsClient chat(User user) {
    return WsClient.authenticated(clients(), chatPort, user.token());
  }

  public WsClient presence(User user) {
    return WsClient.authenticated(clients(), presencePort, user.token());
  }

  public static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
