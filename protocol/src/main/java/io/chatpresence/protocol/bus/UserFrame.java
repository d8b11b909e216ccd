package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonObject;

/**
 * A frame for one user's chat sockets, encoded once by the sender; {@code skipSocket} names a socket that must
 * not get it (the sending one), or is null. {@code feature} is a {@code Features} bit the socket must have
 * opted into (READ receipts reach only sockets with {@code read}), or 0 for a frame of the client document.
 */
public record UserFrame(String frame, String skipSocket, int feature) implements BusRecord {
  public UserFrame(String frame, String skipSocket) {
    this(frame, skipSocket, 0);
  }

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("frame", frame).put("skip", skipSocket);
    return feature == 0 ? json : json.put("feature", feature);
  }

  static UserFrame fromJson(JsonObject json) {
    return new UserFrame(json.getString("frame"), json.getString("skip"), json.getInteger("feature", 0));
  }
}
