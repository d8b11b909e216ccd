package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonObject;

/**
 * Every session of a user ended (server-side revoke, ban, erasure): every socket owner closes all of that user's
 * sockets with 4401, giving {@code reason}.
 */
public record SessionsRevoked(String username, String reason) implements BusRecord {
  @Override
  public JsonObject toJson() {
    return new JsonObject().put("username", username).put("reason", reason);
  }

  static SessionsRevoked fromJson(JsonObject json) {
    return new SessionsRevoked(json.getString("username"), json.getString("reason"));
  }
}
