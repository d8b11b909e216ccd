package io.chatpresence.chat.socket;

import io.chatpresence.chat.store.Conversation;
import io.chatpresence.chat.store.ConversationStore;
import io.chatpresence.chat.store.Kind;
import io.chatpresence.protocol.Frame;
import io.chatpresence.protocol.ProtocolException;
import io.vertx.core.Future;

/** A frame's {@code chatId} or {@code groupId} (exactly one), as the extension frames name a conversation. */
record ConversationRef(Kind kind, String id) {
  static ConversationRef of(Frame f) {
    String chatId = f.optionalConversationId("chatId");
    String groupId = f.optionalConversationId("groupId");
    if ((chatId == null) == (groupId == null)) {
      throw ProtocolException.invalid("give 'chatId' or 'groupId' (one of them)");
    }
    return chatId != null ? new ConversationRef(Kind.CHAT, chatId) : new ConversationRef(Kind.GROUP, groupId);
  }

  String idField() {
    return kind == Kind.CHAT ? "chatId" : "groupId";
  }

  /** The conversation if {@code me} takes part in it: NOT_FOUND when unknown, FORBIDDEN when not a participant. */
  Future<Conversation> resolve(ConversationStore store, String me) {
    if (kind == Kind.GROUP) {
      return store.groupForMember(id, me);
    }
    return store.conversation(Kind.CHAT, id).compose(c -> {
      if (c == null) {
        return Future.failedFuture(ProtocolException.notFound("no chat " + id));
      }
      return c.isParticipant(me) ? Future.succeededFuture(c)
        : Future.failedFuture(ProtocolException.forbidden("not a participant of chat " + id));
    });
  }
}
