package io.chatpresence.protocol;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

import java.util.List;
import java.util.function.Consumer;

/** Whatever arrives, the codec answers with a Frame or a ProtocolException: nothing else escapes. */
class FrameFuzzTest {
  private static final FrameLimits LIMITS = FrameLimits.DEFAULTS;
  private static final List<String> FIELDS = List.of("type", "to", "from", "content", "chatId", "groupId",
    "clientMsgId", "limit", "before", "after", "username", "token", "name");

  @Property(tries = 3000)
  void anyTextIsAFrameOrARefusal(@ForAll @StringLength(max = 300) String text) {
    exercise(text);
  }

  @Property(tries = 3000)
  void jsonShapedNoiseIsAFrameOrARefusal(@ForAll("jsonish") String text) {
    exercise(text);
  }

  @Property(tries = 2000)
  void mutatedValidFramesAreAFrameOrARefusal(@ForAll("mutated") String text) {
    exercise(text);
  }

  @Provide
  Arbitrary<String> jsonish() {
    Arbitrary<String> token = Arbitraries.oneOf(
      Arbitraries.of("{", "}", "[", "]", ":", ",", "\"", "\\", "null", "true", "-0", "1e999", "\"type\"",
        "\"ONE_TO_ONE_CHAT\"", "\"content\"", "\"\\u0000\"", "\"\\ud800\"", "{\"type\":", "9223372036854775808"),
      Arbitraries.strings().ofMaxLength(6));
    return token.list().ofMaxSize(60).map(parts -> String.join("", parts));
  }

  @Provide
  Arbitrary<String> mutated() {
    Arbitrary<Object> value = Arbitraries.oneOf(
      Arbitraries.strings().ofMaxLength(40).map(s -> (Object) s),
      Arbitraries.integers().map(i -> (Object) i),
      Arbitraries.longs().map(l -> (Object) l),
      Arbitraries.doubles().map(d -> (Object) d),
      Arbitraries.of(true, false).map(b -> (Object) b),
      Arbitraries.just(new io.vertx.core.json.JsonArray().add(1).add("x")),
      Arbitraries.just(new io.vertx.core.json.JsonObject().put("k", "v")));
    return Arbitraries.maps(Arbitraries.of(FIELDS), value).ofMaxSize(FIELDS.size())
      .map(m -> new io.vertx.core.json.JsonObject(new java.util.HashMap<>(m)).encode());
  }

  private static void exercise(String text) {
    Frame frame;
    try {
      frame = Frame.parse(text, LIMITS);
    } catch (ProtocolException refused) {
      return;
    }
    // every accessor either answers or refuses with a ProtocolException
    List<Consumer<Frame>> uses = List.of(
      f -> f.requiredString("to"), f -> f.optionalString("chatId"), f -> f.requiredUsername("to"),
      f -> f.requiredConversationId("groupId"), f -> f.optionalConversationId("chatId"),
      f -> f.optionalInt("limit", 1, 200, 50), f -> f.content(4000), f -> f.validClientMsgId(),
      f -> f.checkActor("from", "alice"), Frame::clientMsgId, Frame::type);
    for (Consumer<Frame> use : uses) {
      try {
        use.accept(frame);
      } catch (ProtocolException refused) {
        // fine
      }
    }
  }
}
