package io.chatpresence.chat.store;

/** What a conversation is; {@link #code} is the value of {@code conversations.kind}. */
public enum Kind {
  /** A one-to-one chat between a pair of users. */
  CHAT("C"),
  /** A group with a name, an owner and members. */
  GROUP("G");

  private final String code;

  Kind(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }

  public static Kind of(String code) {
    return switch (code) {
      case "C" -> CHAT;
      case "G" -> GROUP;
      default -> throw new IllegalArgumentException("unknown conversation kind '" + code + "'");
    };
  }
}
