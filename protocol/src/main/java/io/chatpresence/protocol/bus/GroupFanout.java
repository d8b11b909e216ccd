package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One frame (encoded once) for the chat sockets of many users, a group's members; every chat instance writes it
 * to its own sockets of those users, except {@code skipSocket} (or null), and only to sockets that opted into
 * {@code feature} (a {@code Features} bit; 0 for a frame of the client document).
 */
public record GroupFanout(String frame, List<String> members, String skipSocket, int feature) implements BusRecord {
  public GroupFanout {
    members = List.copyOf(members);
  }

  public GroupFanout(String frame, List<String> members, String skipSocket) {
    this(frame, members, skipSocket, 0);
  }

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("frame", frame).put("members", new JsonArray(members)).put("skip", skipSocket);
    return feature == 0 ? json : json.put("feature", feature);
  }

  @SuppressWarnings("unchecked")
  static GroupFanout fromJson(JsonObject json) {
    return new GroupFanout(json.getString("frame"), json.getJsonArray("members").getList(), json.getString("skip"),
      json.getInteger("feature", 0));
  }
}
