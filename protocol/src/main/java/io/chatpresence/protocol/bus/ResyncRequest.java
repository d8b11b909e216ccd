package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonObject;

/**
 * Presence asks socket owners to announce their counts again ({@link SourceSnapshot}): the one named
 * {@code source}, or all of them when it is null (a presence instance that just started).
 */
public record ResyncRequest(String source) implements BusRecord {
  public static final ResyncRequest ALL = new ResyncRequest(null);

  public boolean concerns(String someSource) {
    return source == null || source.equals(someSource);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("source", source);
  }

  static ResyncRequest fromJson(JsonObject json) {
    return new ResyncRequest(json.getString("source"));
  }
}
