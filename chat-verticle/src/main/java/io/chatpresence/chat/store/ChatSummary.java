package io.chatpresence.chat.store;

/** One of my chats as listed: the pair as stored, the other user, and the last message (null when empty). */
public record ChatSummary(String chatId, String userA, String userB, String with, StoredMessage lastMessage) {
}
