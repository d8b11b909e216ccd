package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonObject;

/**
 * A socket owner is alive and has published {@code published} socket events so far; presence compares that with
 * what it applied and asks for a snapshot when they differ (events lost, a partition healed).
 */
public record SourceHeartbeat(SourceId source, long published) implements BusRecord {
  @Override
  public JsonObject toJson() {
    return source.toJson().put("published", published);
  }

  static SourceHeartbeat fromJson(JsonObject json) {
    return new SourceHeartbeat(SourceId.fromJson(json), json.getLong("published"));
  }
}
