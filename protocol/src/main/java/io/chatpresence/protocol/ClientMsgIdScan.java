package io.chatpresence.protocol;

/**
 * Reads the top-level {@code "clientMsgId"} string of a frame without parsing it into a JSON object: for answers
 * given before a frame is parsed (RATE_LIMITED), which must still name the request they refuse. One pass over
 * the characters up to the key, no allocation but the result; anything unexpected (not an object, a value
 * that is not a string of 1 to 64 characters, broken JSON before the key) answers null, as
 * {@link Frame#clientMsgId()} would for a frame it cannot use. With the key twice (invalid JSON for most
 * parsers) the first one is taken.
 */
public final class ClientMsgIdScan {
  private static final String KEY = "clientMsgId";
  private static final int MAX_ID_CHARS = 64;

  private ClientMsgIdScan() {
  }

  /** The clientMsgId of {@code text}, or null; texts longer than {@code maxChars} are not read at all. */
  public static String of(String text, int maxChars) {
    if (text == null || text.length() > maxChars) {
      return null;
    }
    int n = text.length();
    int i = skipWhitespace(text, 0);
    if (i >= n || text.charAt(i) != '{') {
      return null;
    }
    int depth = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (c == '"') {
        int end = stringEnd(text, i);
        if (end < 0) {
          return null;
        }
        if (depth == 1 && end - i - 1 == KEY.length() && text.startsWith(KEY, i + 1)) {
          int colon = skipWhitespace(text, end + 1);
          if (colon < n && text.charAt(colon) == ':') {
            return stringValue(text, skipWhitespace(text, colon + 1));
          }
        }
        i = end + 1;
        continue;
      }
      if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
        if (depth <= 0) {
          return null;
        }
      }
      i++;
    }
    return null;
  }

  /** The index of the quote that closes the string opening at {@code start}, or -1. */
  private static int stringEnd(String text, int start) {
    for (int i = start + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '"') {
        return i;
      }
    }
    return -1;
  }

  private static String stringValue(String text, int start) {
    if (start >= text.length() || text.charAt(start) != '"') {
      return null;
    }
    int end = stringEnd(text, start);
    if (end < 0) {
      return null;
    }
    String raw = text.substring(start + 1, end);
    String value = raw.indexOf('\\') < 0 ? raw : unescape(raw);
    return value == null || value.isEmpty() || value.length() > MAX_ID_CHARS ? null : value;
  }

  private static String unescape(String raw) {
    StringBuilder sb = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (++i >= raw.length()) {
        return null;
      }
      char e = raw.charAt(i);
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (i + 4 >= raw.length()) {
            return null;
          }
          try {
            sb.append((char) Integer.parseInt(raw, i + 1, i + 5, 16));
          } catch (NumberFormatException ex) {
            return null;
          }
          i += 4;
        }
        default -> {
          return null;
        }
      }
    }
    return sb.toString();
  }

  private static int skipWhitespace(String text, int i) {
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return i;
      }
      i++;
    }
    return i;
  }
}
