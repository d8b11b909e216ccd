package io.chatpresence.server.socket;

import io.chatpresence.protocol.FrameLimits;
import io.chatpresence.server.config.ConfigKeys;
import io.vertx.core.json.JsonObject;

/** The per-socket limits, read once from the config. */
public record Limits(FrameLimits frame, double ratePerSecond, int rateBurst, int maxSocketsPerUser,
                     long authTimeoutMs, int maxWriteQueueBytes, long pingIntervalMs,
                     long pongTimeoutMs) {

  public static Limits from(JsonObject config) {
    return new Limits(
      new FrameLimits(config.getInteger(ConfigKeys.MAX_FRAME_BYTES), config.getInteger(ConfigKeys.MAX_CONTENT_CHARS),
        config.getInteger(ConfigKeys.MAX_JSON_DEPTH)),
      config.getDouble(ConfigKeys.RATE_PER_SECOND),
      config.getInteger(ConfigKeys.RATE_BURST),
      config.getInteger(ConfigKeys.MAX_SOCKETS_PER_USER),
      config.getLong(ConfigKeys.AUTH_TIMEOUT_MS),
      config.getInteger(ConfigKeys.MAX_WRITE_QUEUE_BYTES),
      config.getLong(ConfigKeys.PING_INTERVAL_MS, 0L),
      config.getLong(ConfigKeys.PONG_TIMEOUT_MS, 10_000L));
  }
}
