package io.chatpresence.protocol;

import io.vertx.core.json.JsonObject;

/** Builders for the server's frames. */
public final class Frames {
  private Frames() {
  }

  public static JsonObject success(String msg) {
    return new JsonObject().put("type", MessageType.SUCCESS).put("msg", msg);
  }

  public static JsonObject error(ErrorCode code, String msg, String clientMsgId) {
    JsonObject frame = new JsonObject()
      .put("type", MessageType.ERROR)
      .put("code", code.name())
      .put("msg", msg);
    if (clientMsgId != null) {
      frame.put("clientMsgId", clientMsgId);
    }
    return frame;
  }

  public static JsonObject info(String msg, String event, String groupId, String username) {
    return new JsonObject()
      .put("type", MessageType.INFO)
      .put("msg", msg)
      .put("event", event)
      .put("groupId", groupId)
      .put("username", username);
  }

  public static JsonObject presenceUpdate(String username, String status, String timestamp) {
    return new JsonObject()
      .put("type", MessageType.PRESENCE_UPDATE)
      .put("username", username)
      .put("status", status)
      .put("timestamp", timestamp);
  }
}
