package io.chatpresence.chat.store;

/**
 * A chat (with its pair userA &lt; userB) or a group (with name, owner and member count).
 * {@code externalId} is the chatId or groupId clients see; {@code id} is internal. {@code membersVersion}
 * changes with every join and leave of a group (0 for chats).
 */
public record Conversation(long id, Kind kind, String externalId, String userA, String userB,
                           String name, String owner, int memberCount, long membersVersion,
                           boolean created) {

  /** The same conversation, marked as created by this request (or not). */
  public Conversation withCreated(boolean created) {
    return created == this.created ? this
      : new Conversation(id, kind, externalId, userA, userB, name, owner, memberCount, membersVersion, created);
  }

  public boolean isChat() {
    return kind == Kind.CHAT;
  }

  public boolean isParticipant(String username) {
    return username.equals(userA) || username.equals(userB);
  }

  public String otherParticipant(String username) {
    return username.equals(userA) ? userB : userA;
  }
}
