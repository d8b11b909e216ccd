package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonObject;

/** Is the other side reachable on the event bus? Answered with a Ping naming who answered. */
public record Ping(String from) implements BusRecord {
  @Override
  public JsonObject toJson() {
    return new JsonObject().put("from", from);
  }

  static Ping fromJson(JsonObject json) {
    return new Ping(json.getString("from"));
  }
}
