package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Which of these users are online? Answered with a {@link StatusReply}. */
public record StatusQuery(List<String> usernames) implements BusRecord {
  public StatusQuery {
    usernames = List.copyOf(usernames);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("usernames", new JsonArray(usernames));
  }

  @SuppressWarnings("unchecked")
  static StatusQuery fromJson(JsonObject json) {
    return new StatusQuery(json.getJsonArray("usernames").getList());
  }
}
