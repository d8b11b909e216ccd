package io.chatpresence.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameTest {
  private static final FrameLimits LIMITS = FrameLimits.DEFAULTS;

  private static ErrorCode refusal(String text) {
    return assertThrows(ProtocolException.class, () -> Frame.parse(text, LIMITS)).code();
  }

  @Test
  void parsesAnObjectWithAType() {
    Frame f = Frame.parse(" {\"type\":\"GROUP_CHAT\",\"groupId\":\"g1\",\"content\":\"hi\",\"clientMsgId\":\"c\"} ", LIMITS);
    assertEquals("GROUP_CHAT", f.type());
    assertEquals("g1", f.requiredConversationId("groupId"));
    assertEquals("hi", f.content(10));
    assertEquals("c", f.clientMsgId());
  }

  @Test
  void refusesWhatIsNotAnObjectWithAType() {
    assertEquals(ErrorCode.BAD_JSON, refusal("nope"));
    assertEquals(ErrorCode.BAD_JSON, refusal("[]"));
    assertEquals(ErrorCode.BAD_JSON, refusal("{\"type\":"));
    assertEquals(ErrorCode.INVALID, refusal("{}"));
    assertEquals(ErrorCode.INVALID, refusal("{\"type\":7}"));
    assertEquals(ErrorCode.INVALID, refusal("{\"type\":\"X\",\"a\":" + "[".repeat(20) + "]".repeat(20) + "}"));
    assertEquals(ErrorCode.TOO_LARGE, refusal("{\"type\":\"X\",\"a\":\"" + "é".repeat(40_000) + "\"}"));
  }

  @Test
  void nestingCountsOnlyOutsideStrings() {
    Frame f = Frame.parse("{\"type\":\"X\",\"s\":\"[[[[[[[[[[[[[[[[[[[[[[[[\\\"{{{{{{{{{{{{{{{{{{{\"}", LIMITS);
    assertEquals("X", f.type());
  }

  @Test
  void fieldsAreCheckedForShape() {
    Frame f = Frame.parse("{\"type\":\"X\",\"to\":\"no spaces allowed\",\"limit\":500,\"n\":1.5,\"content\":\"  \","
      + "\"clientMsgId\":5,\"from\":\"bob\"}", LIMITS);
    assertEquals(ErrorCode.INVALID, assertThrows(ProtocolException.class, () -> f.requiredUsername("to")).code());
    assertEquals(ErrorCode.INVALID, assertThrows(ProtocolException.class, () -> f.optionalInt("limit", 1, 200, 50)).code());
    assertEquals(ErrorCode.INVALID, assertThrows(ProtocolException.class, () -> f.optionalInt("n", 1, 200, 50)).code());
    assertEquals(ErrorCode.INVALID, assertThrows(ProtocolException.class, () -> f.content(4000)).code());
    assertEquals(ErrorCode.INVALID, assertThrows(ProtocolException.class, f::validClientMsgId).code());
    assertEquals(ErrorCode.FORBIDDEN, assertThrows(ProtocolException.class, () -> f.checkActor("from", "alice")).code());
    assertEquals(ErrorCode.INVALID, assertThrows(ProtocolException.class, () -> f.requiredString("missing")).code());
    assertNull(f.clientMsgId());
    assertEquals(50, f.optionalInt("absent", 1, 200, 50));
  }

  @Test
  void contentWithNulIsInvalid() {
    Frame f = Frame.parse("{\"type\":\"X\",\"content\":\"a\\u0000b\"}", LIMITS);
    ProtocolException e = assertThrows(ProtocolException.class, () -> f.content(4000));
    assertEquals(ErrorCode.INVALID, e.code());
    assertTrue(e.getMessage().contains("NUL"), e.getMessage());
  }

  @Test
  void contentCountsCharactersNotUtf16Units() {
    String emoji = "😀".repeat(4000);
    Frame f = Frame.parse("{\"type\":\"X\",\"content\":\"" + emoji + "\"}", LIMITS);
    assertEquals(emoji, f.content(4000));
    assertThrows(ProtocolException.class, () -> f.content(3999));
  }
}
