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
  /** Extension {@code read}: move the read position; ask for the inbox. */
  public static final String MARK_READ = "MARK_READ";
  public static final String GET_INBOX = "GET_INBOX";
  /** Extension {@code sync}, both directions: request and answer share the type. */
  public static final String SYNC = "SYNC";
  /** Extension {@code typing}, both directions. */
  public static final String TYPING = "TYPING";
  /** Extension {@code edit}: change or erase one's own message (or, for a group's owner, any of the group's). */
  public static final String EDIT_MESSAGE = "EDIT_MESSAGE";
  public static final String DELETE_MESSAGE = "DELETE_MESSAGE";

  // server -> client
  public static final String ONE_TO_ONE_CHAT_HISTORY = "ONE_TO_ONE_CHAT_HISTORY";
  public static final String GROUP_CHAT_HISTORY = "GROUP_CHAT_HISTORY";
  public static final String SUCCESS = "SUCCESS";
  public static final String ERROR = "ERROR";
  public static final String INFO = "INFO";
  public static final String PRESENCE_UPDATE = "PRESENCE_UPDATE";
  /** Extension {@code read}: a read position moved (with {@code unread} for the reader's own sockets). */
  public static final String READ = "READ";
  public static final String INBOX = "INBOX";
  /** Extension {@code edit}: a message's text changed; a message was deleted. */
  public static final String MESSAGE_EDITED = "MESSAGE_EDITED";
  public static final String MESSAGE_DELETED = "MESSAGE_DELETED";
}
