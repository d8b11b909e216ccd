package io.chatpresence.chat.api;

import io.chatpresence.server.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code adminKey} security scheme of the contract: {@code Authorization: Bearer <key>} with one of
 * {@link AdminKeys}. 401 for a missing or wrong key. Every call is logged and counted in {@code /metrics}
 * ({@code chatpresence_admin_calls_total{key,method,status}}) with the key's index, never the key.
 */
final class AdminAuth extends ScopelessBearerHandler {
  private static final Logger LOG = LoggerFactory.getLogger(AdminAuth.class);
  private final AdminKeys keys;
  private final Metrics metrics;

  AdminAuth(AdminKeys keys, Metrics metrics) {
    this.keys = keys;
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    int index = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
      ? keys.match(header.substring(7).trim()) : AdminKeys.NONE;
    String key = index == AdminKeys.NONE ? "none" : String.valueOf(index);
    ctx.addEndHandler(v -> {
      int status = ctx.response().getStatusCode();
      LOG.info("admin call {} {} by key #{}: {}", ctx.request().method(), ctx.request().path(), key, status);
      Counter.builder(Metrics.PREFIX + ".admin.calls")
        .description("Calls of the server-side API (/api/admin/), by key index and answer")
        .tag("key", key).tag("method", ctx.request().method().name()).tag("status", String.valueOf(status))
        .register(metrics.registry()).increment();
    });
    if (index == AdminKeys.NONE) {
      ctx.fail(new HttpException(401, header == null ? "missing admin key" : "wrong admin key"));
      return;
    }
    ctx.next();
  }
}
