package io.chatpresence.chat.store;

/**
 * A chat ('C', with its pair userA &lt; userB) or a group ('G', with name, owner and member count).
 * {@code externalId} is the chatId or groupId clients see; {@code id} is internal. {@code membersVersion}
 * changes with every join and leave of a group (0 for chats).
 */
public record Conversation(long id, String kind, String externalId, String userA, String userB,
                           String name, String owner, int memberCount, long membersVersion,
                           boolean created) {

  /** The same conversation, marked as created by this request. */
  public Conversation asCreated() {
    return new Conversation(id, kind, externalId, userA, userB, name, owner, memberCount, membersVersion, true);
  }

  public boolean isParticipant(String username) {
    return username.equals(userA) || username.equals(userB);
  }

  public String otherParticipant(String username) {
    return username.equals(userA) ? userB : userA;
  }
}
