package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/** Each asked user's status, {@code "online"} or {@code "offline"}. */
public record StatusReply(Map<String, String> statuses) implements BusRecord {
  public StatusReply {
    statuses = Map.copyOf(statuses);
  }

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    statuses.forEach(json::put);
    return new JsonObject().put("statuses", json);
  }

  static StatusReply fromJson(JsonObject json) {
    Map<String, String> statuses = new HashMap<>();
    json.getJsonObject("statuses").forEach(e -> statuses.put(e.getKey(), String.valueOf(e.getValue())));
    return new StatusReply(statuses);
  }
}
