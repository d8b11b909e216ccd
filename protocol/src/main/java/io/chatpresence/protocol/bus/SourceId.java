package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonObject;

/** A socket owner (one chat or presence verticle instance) and the cluster node it runs on. */
public record SourceId(String source, String node) {
  JsonObject toJson() {
    return new JsonObject().put("source", source).put("node", node);
  }

  static SourceId fromJson(JsonObject json) {
    return new SourceId(json.getString("source"), json.getString("node"));
  }
}
