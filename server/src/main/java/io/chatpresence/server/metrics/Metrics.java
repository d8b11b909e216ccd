package io.chatpresence.server.metrics;

import io.chatpresence.protocol.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.impl.MicrometerMetrics;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The product's own meters, per Vert.x instance, in the Prometheus registry that {@code /metrics} serves.
 *
 * <p>When the Vert.x instance was built with {@link #vertxBuilder} (the launcher does), its Micrometer registry
 * holds our meters beside Vert.x's (HTTP, event bus, pools, SQL client) and the JVM's. On a Vert.x instance
 * without metrics (tests deploy on a plain {@code Vertx.vertx()}), our meters go to a registry of their own and
 * {@code /metrics} serves only those. Every instance has its own registry, so several in one JVM do not mix.
 *
 * <p>Names follow Prometheus conventions once rendered: {@code chatpresence_frames_received_total},
 * {@code chatpresence_send_to_ack_seconds_bucket}, ... Every label takes a bounded set of values.
 */
public final class Metrics implements Shareable {
  public static final String PREFIX = "chatpresence";

  /** Where each Vert.x instance keeps its Metrics: its own local shared data, so nothing static outlives it. */
  private static final String LOCAL_MAP = "io.chatpresence.server.metrics";

  private final MeterRegistry registry;
  private final boolean vertxMetrics;
  private final Handler<RoutingContext> scrapeHandler;
  private final Map<String, SocketMetrics> servers = new ConcurrentHashMap<>();
  private final AtomicLong onlineUsers = new AtomicLong();
  private final Map<String, Timer> sendToAck = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary> fanout = new ConcurrentHashMap<>();
  private final Map<ErrorCode, Counter> restErrors = new ConcurrentHashMap<>();

  private Metrics(MeterRegistry registry, boolean vertxMetrics) {
    this.registry = registry;
    this.vertxMetrics = vertxMetrics;
    this.scrapeHandler = registry instanceof PrometheusMeterRegistry prometheus
      ? PrometheusScrapingHandler.create(prometheus) : ctx -> ctx.response().setStatusCode(404).end();
  }

  /** Vert.x metrics options: Prometheus, JVM metrics, a registry of this instance's own, bounded labels. */
  public static MicrometerMetricsOptions vertxMetricsOptions() {
    return new MicrometerMetricsOptions()
      .setEnabled(true)
      .setRegistryName("chat-presence-" + UUID.randomUUID())
      .setJvmMetricsEnabled(true)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true))
      .setLabels(java.util.EnumSet.of(Label.EB_ADDRESS, Label.EB_SIDE, Label.EB_FAILURE, Label.HTTP_METHOD,
        Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME, Label.CLIENT_NAME, Label.NAMESPACE));
  }

  /** A Vert.x builder with metrics enabled: what the launcher uses, and tests that want Vert.x's own meters. */
  public static VertxBuilder vertxBuilder(VertxOptions options) {
    return Vertx.builder().with(options.setMetricsOptions(vertxMetricsOptions()))
      .withMetrics(new GuardedMetricsFactory());
  }

  /** The meters of this Vert.x instance. */
  public static Metrics of(Vertx vertx) {
    LocalMap<String, Metrics> map = vertx.sharedData().getLocalMap(LOCAL_MAP);
    Metrics known = map.get(LOCAL_MAP);
    if (known != null) {
      return known;
    }
    MeterRegistry vertxRegistry = vertx instanceof VertxInternal internal
      && internal.metrics() instanceof MicrometerMetrics micrometer ? micrometer.registry() : null;
    Metrics made = vertxRegistry != null ? new Metrics(vertxRegistry, true)
      : new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), false);
    Metrics raced = map.putIfAbsent(LOCAL_MAP, made);
    return raced != null ? raced : made;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** True when Vert.x's own meters (HTTP, event bus, pool, SQL, JVM) are in the registry too. */
  public boolean hasVertxMetrics() {
    return vertxMetrics;
  }

  /** {@code GET /metrics}: the registry in Prometheus text format. */
  public void scrape(RoutingContext ctx) {
    scrapeHandler.handle(ctx);
  }

  /** The socket meters of one server ({@code chat}, {@code presence}), shared by its verticle instances. */
  public SocketMetrics sockets(String server) {
    return servers.computeIfAbsent(server, s -> new SocketMetrics(registry, s));
  }

  /**
   * Where presence reports its count of users online cluster-wide (every presence instance keeps the whole
   * state, so all report the same). The gauge exists only in processes that run presence.
   */
  public LongConsumer onlineUsers() {
    Gauge.builder(PREFIX + ".users.online", onlineUsers, AtomicLong::get)
      .description("Users with at least one authenticated socket anywhere in the cluster, as presence sees them")
      .strongReference(true).register(registry);
    return onlineUsers::set;
  }

  /**
   * A chat message acknowledged (SUCCESS sent, so stored): the time from its frame's arrival, queueing behind
   * the socket's earlier frames included. {@code kind} is {@code one_to_one} or {@code group}.
   */
  public void acknowledged(String kind, long receivedNanos) {
    sendToAck.computeIfAbsent(kind, k -> Timer.builder(PREFIX + ".send.to.ack")
        .description("Time from a chat frame's arrival to its SUCCESS acknowledgement (message stored)")
        .tag("kind", k)
        .serviceLevelObjectives(ms(2), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000),
          ms(2500), ms(5000))
        .minimumExpectedValue(ms(1)).maximumExpectedValue(ms(10_000))
        .register(registry))
      .record(System.nanoTime() - receivedNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** A stored message was published to this many users other than its sender. */
  public void fanout(String kind, int users) {
    fanout.computeIfAbsent(kind, k -> DistributionSummary.builder(PREFIX + ".message.fanout")
        .description("Users a stored message is delivered to, besides its sender")
        .baseUnit("users")
        .tag("kind", k)
        .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
        .register(registry))
      .record(users);
  }

  /** An error answer of the REST API. */
  public void restError(ErrorCode code) {
    restErrors.computeIfAbsent(code, c -> SocketMetrics.errorCounter(registry, "chat", "rest", c)).increment();
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }
}
