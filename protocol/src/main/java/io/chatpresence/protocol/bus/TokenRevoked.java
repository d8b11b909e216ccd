package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonObject;

/** A token was revoked (logout): every socket owner closes the sockets authenticated with it. */
public record TokenRevoked(String username, String jti) implements BusRecord {
  @Override
  public JsonObject toJson() {
    return new JsonObject().put("username", username).put("jti", jti);
  }

  static TokenRevoked fromJson(JsonObject json) {
    return new TokenRevoked(json.getString("username"), json.getString("jti"));
  }
}
