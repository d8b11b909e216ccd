package io.chatpresence.protocol.bus;

import io.vertx.core.json.JsonObject;

/**
 * A record that travels on the event bus. Records are immutable, so a local delivery hands the same object to
 * every consumer (no copy); across nodes it travels as the JSON of {@link #toJson()} (never Java serialization).
 */
public interface BusRecord {
  JsonObject toJson();
}
