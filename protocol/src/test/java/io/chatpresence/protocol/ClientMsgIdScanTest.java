package io.chatpresence.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The scan finds what the full parse finds, for any frame the parser accepts, and never throws on others. */
class ClientMsgIdScanTest {
  private static final int MAX = FrameLimits.DEFAULTS.maxFrameBytes();
  private static final List<String> FIELDS = List.of("type", "to", "content", "chatId", "clientMsgId", "limit",
    "nested", "list");

  @Test
  void readsTheTopLevelKeyOnly() {
    assertEquals("c-1", ClientMsgIdScan.of("{\"type\":\"X\",\"clientMsgId\":\"c-1\"}", MAX));
    assertEquals("c 2", ClientMsgIdScan.of(" { \"clientMsgId\" :\n \"c 2\" , \"type\":\"X\"}", MAX));
    assertEquals("a\"b\\c\u00e9", ClientMsgIdScan.of("{\"clientMsgId\":\"a\\\"b\\\\c\\u00e9\"}", MAX));
    assertNull(ClientMsgIdScan.of("{\"nested\":{\"clientMsgId\":\"inner\"}}", MAX));
    assertNull(ClientMsgIdScan.of("{\"content\":\"\\\"clientMsgId\\\":\\\"fake\\\"\"}", MAX));
    assertNull(ClientMsgIdScan.of("{\"list\":[{\"clientMsgId\":\"inner\"}]}", MAX));
    assertNull(ClientMsgIdScan.of("{\"clientMsgId\":17}", MAX));
    assertNull(ClientMsgIdScan.of("{\"clientMsgId\":\"\"}", MAX));
    assertNull(ClientMsgIdScan.of("{\"clientMsgId\":\"" + "x".repeat(65) + "\"}", MAX));
    assertNull(ClientMsgIdScan.of("[\"clientMsgId\",\"x\"]", MAX));
    assertNull(ClientMsgIdScan.of("not json", MAX));
    assertNull(ClientMsgIdScan.of(null, MAX));
    assertNull(ClientMsgIdScan.of("{\"clientMsgId\":\"c-1\"}", 10), "longer than the limit: not read");
  }

  @Property(tries = 3000)
  void agreesWithTheParser(@ForAll("frames") String text) {
    Frame frame;
    try {
      frame = Frame.parse(text, FrameLimits.DEFAULTS);
    } catch (ProtocolException e) {
      ClientMsgIdScan.of(text, MAX); // must not throw
      return;
    }
    assertEquals(frame.clientMsgId(), ClientMsgIdScan.of(text, MAX), text);
  }

  @Property(tries = 3000)
  void anyTextIsAnIdOrNull(@ForAll @StringLength(max = 300) String text) {
    ClientMsgIdScan.of(text, MAX);
  }

  @Provide
  Arbitrary<String> frames() {
    Arbitrary<Object> value = Arbitraries.oneOf(
      Arbitraries.strings().ofMaxLength(70).map(s -> (Object) s),
      Arbitraries.strings().withChars("\"\\/{}[]:,\u00e9\n").ofMaxLength(10).map(s -> (Object) s),
      Arbitraries.integers().map(i -> (Object) i),
      Arbitraries.just(new JsonArray().add(new JsonObject().put("clientMsgId", "in-array"))),
      Arbitraries.just(new JsonObject().put("clientMsgId", "in-object")));
    return Arbitraries.maps(Arbitraries.of(FIELDS), value).ofMaxSize(FIELDS.size())
      .map(m -> new JsonObject(new HashMap<>(m)).put("type", "ONE_TO_ONE_CHAT").encode());
  }
}
