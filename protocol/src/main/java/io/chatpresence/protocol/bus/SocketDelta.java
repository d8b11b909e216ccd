package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonObject;

/**
 * An authenticated socket of {@code username} opened ({@code delta} 1) or closed (-1) at a source: one verticle
 * instance owning sockets, on cluster node {@code node}.
 */
public record SocketDelta(SourceId source, String username, int delta) implements BusRecord {
  @Override
  public JsonObject toJson() {
    return source.toJson().put("username", username).put("delta", delta);
  }

  static SocketDelta fromJson(JsonObject json) {
    return new SocketDelta(SourceId.fromJson(json), json.getString("username"), json.getInteger("delta"));
  }
}
