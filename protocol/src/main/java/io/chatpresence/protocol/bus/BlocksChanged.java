package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonObject;

/**
 * {@code blocker} started ({@code blocking} true) or stopped blocking {@code blocked}; published once committed.
 * Every chat instance updates the blocked counterparts it keeps for its online users (typing and receipts).
 */
public record BlocksChanged(String blocker, String blocked, boolean blocking) implements BusRecord {
  @Override
  public JsonObject toJson() {
    return new JsonObject().put("blocker", blocker).put("blocked", blocked).put("blocking", blocking);
  }

  static BlocksChanged fromJson(JsonObject json) {
    return new BlocksChanged(json.getString("blocker"), json.getString("blocked"), json.getBoolean("blocking"));
  }
}
