package io.chatpresence.chat.store;

/** One of my groups as listed. */
public record GroupSummary(String groupId, String name, String owner, int memberCount) {
}
