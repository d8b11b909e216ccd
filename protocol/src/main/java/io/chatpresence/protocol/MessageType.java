package io.chatpresence.protocol;

/** The {@code type} values of the client protocol, both directions. */
public final class MessageType {
  private MessageType() {
  }

  // client -> server
  public static final String AUTH = "AUTH";
  public static final String ONE_TO_ONE_CHAT = "ONE_TO_ONE_CHAT";
  public static final String GROUP_CHAT = "GROUP_CHAT";
  public static final String GET_ONE_TO_ONE_HISTORY = "GET_ONE_TO_ONE_HISTORY";
  public static final String GET_GROUP_CHAT_HISTORY = "GET_GROUP_CHAT_HISTORY";
  public static final String JOIN_GROUP = "JOIN_GROUP";
  public static final String LEAVE_GROUP = "LEAVE_GROUP";
  public static final String DISCONNECT = "DISCONNECT";

  // server -> client
  public static final String ONE_TO_ONE_CHAT_HISTORY = "ONE_TO_ONE_CHAT_HISTORY";
  public static final String GROUP_CHAT_HISTORY = "GROUP_CHAT_HISTORY";
  public static final String SUCCESS = "SUCCESS";
  public static final String ERROR = "ERROR";
  public static final String INFO = "INFO";
  public static final String PRESENCE_UPDATE = "PRESENCE_UPDATE";
}
