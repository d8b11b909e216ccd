package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One frame (encoded once) for the chat sockets of many users, a group's members; every chat instance writes it
 * to its own sockets of those users, except {@code skipSocket} (or null).
 */
public record GroupFanout(String frame, List<String> members, String skipSocket) implements BusRecord {
  public GroupFanout {
    members = List.copyOf(members);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("frame", frame).put("members", new JsonArray(members)).put("skip", skipSocket);
  }

  @SuppressWarnings("unchecked")
  static GroupFanout fromJson(JsonObject json) {
    return new GroupFanout(json.getString("frame"), json.getJsonArray("members").getList(), json.getString("skip"));
  }
}
