package io.chatpresence.protocol;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;


/**
 * One decoded client frame with typed, validating accessors. Every accessor throws
 * {@link ProtocolException} with a message a front-end developer can act on.
 */
public final class Frame {
  private final JsonObject json;
  private final String type;

  private Frame(JsonObject json, String type) {
    this.json = json;
    this.type = type;
  }

  /** Checks size, nesting and shape before anything else looks at the frame. */
  public static Frame parse(String text, FrameLimits limits) {
    if (utf8Length(text, limits.maxFrameBytes()) > limits.maxFrameBytes()) {
      throw new ProtocolException(ErrorCode.TOO_LARGE, "frame is over " + limits.maxFrameBytes() + " bytes");
    }
    if (nestingDepth(text) > limits.maxJsonDepth()) {
      throw new ProtocolException(ErrorCode.INVALID, "JSON nesting is deeper than " + limits.maxJsonDepth());
    }
    String trimmed = text.strip();
    if (!trimmed.startsWith("{")) {
      throw new ProtocolException(ErrorCode.BAD_JSON, "frame must be a JSON object");
    }
    JsonObject json;
    try {
      json = new JsonObject(trimmed);
    } catch (DecodeException | ClassCastException | IllegalStateException e) {
      throw new ProtocolException(ErrorCode.BAD_JSON, "frame is not valid JSON");
    }
    Object type = json.getValue("type");
    if (!(type instanceof String s) || s.isEmpty()) {
      throw new ProtocolException(ErrorCode.INVALID, "field 'type' is required and must be a string");
    }
    return new Frame(json, s);
  }

  public String type() {
    return type;
  }

  public JsonObject json() {
    return json;
  }

  /** The client's correlation id, echoed in answers; never an error, a wrong type is simply not echoed. */
  public String clientMsgId() {
    Object v = json.getValue("clientMsgId");
    if (v instanceof String s && !s.isEmpty() && s.length() <= 64) {
      return s;
    }
    return null;
  }

  /** For sends: a present {@code clientMsgId} must be usable for idempotency, or the frame is refused. */
  public String validClientMsgId() {
    Object v = json.getValue("clientMsgId");
    if (v != null && clientMsgId() == null) {
      throw ProtocolException.invalid("field 'clientMsgId' must be a string of 1 to 64 characters");
    }
    return clientMsgId();
  }

  public String requiredString(String field) {
    String value = optionalString(field);
    if (value == null) {
      throw ProtocolException.invalid("field '" + field + "' is required");
    }
    return value;
  }

  public String optionalString(String field) {
    Object v = json.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw ProtocolException.invalid("field '" + field + "' must be a string");
    }
    return s.isEmpty() ? null : s;
  }

  public String requiredConversationId(String field) {
    String id = requiredString(field);
    checkConversationId(field, id);
    return id;
  }

  public String optionalConversationId(String field) {
    String id = optionalString(field);
    if (id != null) {
      checkConversationId(field, id);
    }
    return id;
  }

  public String requiredUsername(String field) {
    String name = requiredString(field);
    if (!Names.isUsername(name)) {
      throw ProtocolException.invalid("field '" + field + "' must be a username (" + Names.USERNAME_RULE + ")");
    }
    return name;
  }

  public int optionalInt(String field, int min, int max, int defaultValue) {
    Object v = json.getValue(field);
    if (v == null) {
      return defaultValue;
    }
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < min || ((Number) v).longValue() > max) {
      throw ProtocolException.invalid("field '" + field + "' must be an integer from " + min + " to " + max);
    }
    return ((Number) v).intValue();
  }

  /** Message text: a non-blank string of at most {@code maxChars} characters (code points), without NUL. */
  public String content(int maxChars) {
    String content = requiredString("content");
    if (content.isBlank()) {
      throw ProtocolException.invalid("field 'content' must not be blank");
    }
    if (content.length() > maxChars && content.codePointCount(0, content.length()) > maxChars) {
      throw ProtocolException.invalid("field 'content' is longer than " + maxChars + " characters");
    }
    if (content.indexOf(0) >= 0) {
      // PostgreSQL text cannot hold it: refuse it here as bad input, not later as a storage failure
      throw ProtocolException.invalid("field 'content' must not contain the NUL character (\\u0000)");
    }
    return content;
  }

  /** A frame's {@code from}/{@code username}, when present, must be the authenticated user. */
  public void checkActor(String field, String authenticated) {
    Object v = json.getValue(field);
    if (v != null && !authenticated.equals(v)) {
      throw ProtocolException.forbidden("'" + field + "' must be the authenticated user");
    }
  }

  private static void checkConversationId(String field, String id) {
    if (!Names.isConversationId(id)) {
      throw ProtocolException.invalid("field '" + field + "' must be an id (" + Names.ID_RULE + ")");
    }
  }

  /** UTF-8 length, stopping early once past {@code cap}. */
  static int utf8Length(String s, int cap) {
    if ((long) s.length() * 3 <= cap) {
      return s.length();
    }
    int bytes = 0;
    for (int i = 0; i < s.length() && bytes <= cap; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** Deepest nesting of objects and arrays outside strings; a cheap scan that runs before the parser. */
  static int nestingDepth(String s) {
    int depth = 0;
    int max = 0;
    boolean inString = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        max = Math.max(max, ++depth);
      } else if (c == '}' || c == ']') {
        depth--;
      }
    }
    return max;
  }

}
