package io.chatpresence.server.web;

import io.chatpresence.server.cluster.ClusterSupport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Liveness and readiness (vertx-health-check), the same on both ports.
 *
 * <ul>
 *   <li>{@code GET /health}, liveness: the event loop answers and, when clustered, the Hazelcast member runs.
 *   Nothing external: a database outage must not get pods restarted.</li>
 *   <li>{@code GET /ready}, readiness: the database answers {@code SELECT 1}; when clustered, the member runs
 *   and the cluster is safe (no partition without its backup); every server of this process is listening and
 *   none is stopping (so a pod leaves the load balancer as soon as SIGTERM starts the graceful stop).</li>
 * </ul>
 * 200 {@code {"status":"UP","checks":[...]}}, or 503 {@code {"status":"DOWN","reason":"database: ...",
 * "checks":[...]}}.
 */
public final class Health {
  /** Each check gets this long; the probes' timeout (k8s/) is longer. */
  public static final long CHECK_TIMEOUT_MS = 2_000;
  /** The servers of one Vert.x instance and their states, in its local shared data (nothing static). */
  private static final String SERVERS = "io.chatpresence.server.web.servers";
  private static final String STARTING = "starting";
  private static final String LISTENING = "listening";
  private static final String STOPPING = "stopping";
  private static final String PING = "SELECT 1";
  /** Written by the token checks (auth.ProviderKeys.STATUS_MAP). */
  private static final String PROVIDER_STATUS = "io.chatpresence.server.auth.provider";

  private Health() {
  }

  /** A server that readiness waits for; starts as not listening. */
  public static final class Server {
    private final LocalMap<String, String> states;
    private final String name;

    private Server(LocalMap<String, String> states, String name) {
      this.states = states;
      this.name = name;
      states.put(name, STARTING);
    }

    /** Call when its {@code listen} succeeded. */
    public void listening() {
      states.put(name, LISTENING);
    }

    /** Call first thing in the verticle's stop: the process is no longer ready. */
    public void stopping() {
      states.put(name, STOPPING);
    }

    /** Call when the verticle has stopped: it no longer counts. */
    public void removed() {
      states.remove(name);
    }
  }

  public static Server server(Vertx vertx, String name) {
    return new Server(vertx.sharedData().getLocalMap(SERVERS), name);
  }

  /** The routes of one server's router; the checks are made on the first request, on its Vert.x instance. */
  public static void addRoutes(Router router, Pool pool, Peer peer) {
    HealthChecks[] checks = new HealthChecks[2];
    router.get("/health").handler(ctx -> answer(ctx, checks(checks, ctx.vertx(), pool, peer)[0].checkStatus()));
    router.get("/ready").handler(ctx -> answer(ctx, checks(checks, ctx.vertx(), pool, peer)[1].checkStatus()));
  }

  /** Liveness and readiness checks, made once (a router is used from its verticle's event loop only). */
  private static HealthChecks[] checks(HealthChecks[] checks, Vertx vertx, Pool pool, Peer peer) {
    if (checks[0] == null) {
      checks[0] = liveness(vertx);
      checks[1] = readiness(vertx, pool, peer);
    }
    return checks;
  }

  private static HealthChecks liveness(Vertx vertx) {
    return HealthChecks.create(vertx)
      .register("event-loop", CHECK_TIMEOUT_MS, p -> p.complete(Status.OK()))
      .register("cluster-member", CHECK_TIMEOUT_MS, p -> {
        Boolean running = ClusterSupport.memberRunning(vertx);
        p.complete(running == null || running ? Status.OK(new JsonObject().put("clustered", running != null))
          : down("the Hazelcast member is not running"));
      });
  }

  private static HealthChecks readiness(Vertx vertx, Pool pool, Peer peer) {
    return HealthChecks.create(vertx)
      // data only: the other side being down must not take this one out of the load balancer (see Peer)
      .register("peer", CHECK_TIMEOUT_MS, p -> peer.reachable(vertx).onComplete(ar -> p.complete(Status.OK(
        new JsonObject().put(peer.name(), ar.succeeded() && ar.result() ? "reachable" : "unreachable on the event bus")))))
      .register("database", CHECK_TIMEOUT_MS, p -> pool.preparedQuery(PING).execute()
        .onComplete(ar -> p.complete(ar.succeeded() ? Status.OK() : down(String.valueOf(ar.cause().getMessage())))))
      .register("cluster", CHECK_TIMEOUT_MS, p -> vertx.executeBlocking(() -> ClusterSupport.readinessBlocking(vertx), false)
        .onComplete(ar -> p.complete(ar.succeeded() ? Status.OK(ar.result()) : down(String.valueOf(ar.cause().getMessage())))))
      .register("servers", CHECK_TIMEOUT_MS, p -> p.complete(servers(vertx)))
      // data only: an unreachable identity provider must not take out our own logins (its tokens wait for keys)
      .register("identity-provider", CHECK_TIMEOUT_MS, p -> p.complete(Status.OK(identityProvider(vertx))));
  }

  /** Each configured provider's state ("keys: 2, fetched at ..." or "unavailable: ..."); empty without one. */
  private static JsonObject identityProvider(Vertx vertx) {
    JsonObject data = new JsonObject();
    vertx.sharedData().<String, String>getLocalMap(PROVIDER_STATUS).forEach(data::put);
    return data;
  }

  private static Status servers(Vertx vertx) {
    JsonObject data = new JsonObject();
    vertx.sharedData().<String, String>getLocalMap(SERVERS).forEach(data::put);
    List<String> notReady = new ArrayList<>();
    if (data.isEmpty()) {
      notReady.add("no server started");
    }
    data.forEach(e -> {
      if (!LISTENING.equals(e.getValue())) {
        notReady.add(e.getKey() + " " + e.getValue());
      }
    });
    return notReady.isEmpty() ? Status.OK(data) : Status.KO(data.put("reason", String.join(", ", notReady)));
  }

  private static Status down(String reason) {
    return Status.KO(new JsonObject().put("reason", reason));
  }

  private static void answer(RoutingContext ctx, Future<CheckResult> result) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        HttpSupport.json(ctx, 503, new JsonObject().put("status", "DOWN").put("reason", String.valueOf(ar.cause())));
        return;
      }
      CheckResult r = ar.result();
      JsonArray checks = new JsonArray();
      List<String> reasons = new ArrayList<>();
      for (CheckResult c : r.getChecks()) {
        boolean up = CheckResult.isUp(c);
        JsonObject check = new JsonObject().put("id", c.getId()).put("status", up ? "UP" : "DOWN");
        JsonObject data = c.getData();
        if (data != null && !data.isEmpty()) {
          check.put("data", data);
        }
        checks.add(check);
        if (!up) {
          reasons.add(c.getId() + ": " + reason(c));
        }
      }
      boolean up = CheckResult.isUp(r);
      JsonObject body = new JsonObject().put("status", up ? "UP" : "DOWN");
      if (!up) {
        body.put("reason", String.join("; ", reasons));
      }
      HttpSupport.json(ctx, up ? 200 : 503, body.put("checks", checks));
    });
  }

  private static String reason(CheckResult c) {
    JsonObject data = c.getData();
    if (data != null && data.getValue("reason") != null) {
      return data.getString("reason");
    }
    if (c.getFailure() != null) {
      return String.valueOf(c.getFailure().getMessage());
    }
    return data == null ? "down" : data.encode();
  }
}
