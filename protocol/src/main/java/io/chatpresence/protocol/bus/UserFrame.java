package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonObject;

/**
 * A frame for one user's chat sockets, encoded once by the sender; {@code skipSocket} names a socket that must
 * not get it (the sending one), or is null.
 */
public record UserFrame(String frame, String skipSocket) implements BusRecord {
  @Override
  public JsonObject toJson() {
    return new JsonObject().put("frame", frame).put("skip", skipSocket);
  }

  static UserFrame fromJson(JsonObject json) {
    return new UserFrame(json.getString("frame"), json.getString("skip"));
  }
}
