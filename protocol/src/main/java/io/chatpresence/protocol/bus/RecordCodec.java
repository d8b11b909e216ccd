package io.chatpresence.protocol.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/**
 * The event-bus codec of one {@link BusRecord} type: locally the record itself (immutable, so shared), on the
 * wire a length-prefixed JSON object. The codec's name is the record's class name, so every node finds it.
 */
final class RecordCodec<T extends BusRecord> implements MessageCodec<T, T> {
  private final Class<T> type;
  private final Function<JsonObject, T> fromJson;

  RecordCodec(Class<T> type, Function<JsonObject, T> fromJson) {
    this.type = type;
    this.fromJson = fromJson;
  }

  Class<T> type() {
    return type;
  }

  @Override
  public void encodeToWire(Buffer buffer, T record) {
    Buffer json = record.toJson().toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return fromJson.apply(new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + length)));
  }

  @Override
  public T transform(T record) {
    return record;
  }

  @Override
  public String name() {
    return type.getName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
