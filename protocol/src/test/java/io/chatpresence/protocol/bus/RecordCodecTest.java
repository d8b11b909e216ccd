package io.chatpresence.protocol.bus;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Every record crosses the wire and comes back equal; locally it is handed over as it is (immutable). */
class RecordCodecTest {
  private static final SourceId SOURCE = new SourceId("source-1", "node-1");

  @Test
  void everyRecordSurvivesTheWire() {
    List<BusRecord> records = List.of(
      new GroupFanout("{\"type\":\"GROUP_CHAT\"}", List.of("ann", "bob"), null),
      new GroupFanout("{\"type\":\"READ\"}", List.of("ann"), "7", 1),
      new TypingNotice("ann", "chatId", "chat_1", true, List.of("bob"), "node-1"),
      new TypingNotice("ann", "groupId", "g", false, List.of("bob", "cy"), "node-2"),
      new SocketDelta(SOURCE, "ann", -1),
      new SourceHeartbeat(SOURCE, 7),
      new SourceSnapshot(SOURCE, 7, Map.of("ann", 2, "bob", 1)),
      ResyncRequest.ALL,
      new ResyncRequest("source-1"),
      new StatusQuery(List.of("ann", "bob")),
      new StatusReply(Map.of("ann", "online", "bob", "offline")),
      new ContactsChanged("ann", List.of("bob")),
      new BlocksChanged("ann", "bob", true),
      new TokenRevoked("ann", "jti-1"),
      new SessionsRevoked("ann", "account banned"),
      new Ping("chat"));
    for (BusRecord record : records) {
      assertEquals(record, roundTrip(record), record.getClass().getSimpleName());
    }
  }

  @Test
  void aLocalDeliveryIsTheSameObject() {
    GroupFanout fanout = new GroupFanout("{}", List.of("ann"), "1");
    assertSame(fanout, codec(fanout).transform(fanout));
  }

  @SuppressWarnings("unchecked")
  private static <T extends BusRecord> RecordCodec<T> codec(T record) {
    return (RecordCodec<T>) Bus.codecs().stream().filter(c -> c.type() == record.getClass()).findFirst()
      .orElseThrow(() -> new AssertionError("no codec for " + record.getClass()));
  }

  private static <T extends BusRecord> T roundTrip(T record) {
    RecordCodec<T> codec = codec(record);
    Buffer wire = Buffer.buffer().appendString("header");
    codec.encodeToWire(wire, record);
    return codec.decodeFromWire("header".length(), wire);
  }
}
