package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/** A socket owner's full counts (sockets per user), replacing what presence knew of it; the answer to a resync. */
public record SourceSnapshot(SourceId source, long published, Map<String, Integer> counts) implements BusRecord {
  public SourceSnapshot {
    counts = Map.copyOf(counts);
  }

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    counts.forEach(json::put);
    return source.toJson().put("published", published).put("counts", json);
  }

  static SourceSnapshot fromJson(JsonObject json) {
    Map<String, Integer> counts = new HashMap<>();
    json.getJsonObject("counts").forEach(e -> counts.put(e.getKey(), ((Number) e.getValue()).intValue()));
    return new SourceSnapshot(SourceId.fromJson(json), json.getLong("published"), counts);
  }
}
