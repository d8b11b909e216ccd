package io.chatpresence.chat;

import io.chatpresence.chat.store.MessageIds;
import io.chatpresence.chat.store.StoredMessage;
import io.chatpresence.chat.store.SyncStore;
import io.chatpresence.protocol.MessageType;
import io.chatpresence.protocol.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The SYNC answer: each event as the frame the socket would have received live (ChatFrames' builders), with the
 * socket's features: edits and deletions only with {@code edit} (the store reads reads only with {@code read}).
 */
public final class SyncFrames {
  private SyncFrames() {
  }

  public static JsonObject page(List<SyncStore.Event> events, boolean edit, String next, boolean hasMore,
                                String clientMsgId) {
    JsonArray frames = new JsonArray();
    for (SyncStore.Event e : events) {
      frames.add(event(e, edit));
    }
    JsonObject frame = new JsonObject().put("type", MessageType.SYNC).put("events", frames).put("next", next)
      .put("hasMore", hasMore);
    return clientMsgId == null ? frame : frame.put("clientMsgId", clientMsgId);
  }

  static JsonObject event(SyncStore.Event event, boolean edit) {
    SyncStore.Window w = event.conversation();
    if (event instanceof SyncStore.Message m) {
      JsonObject frame = ChatFrames.received(m.message());
      return edit && m.editedAt() != null ? frame.put("editedAt", Timestamps.format(m.editedAt())) : frame;
    }
    if (event instanceof SyncStore.Change c) {
      StoredMessage m = c.message();
      return c.deletedAt() != null
        ? ChatFrames.deleted(m.conversationKind(), m.conversationId(), m.messageId(), c.deletedAt())
        : ChatFrames.edited(m.conversationKind(), m.conversationId(), m.messageId(), m.from(), m.content(),
          m.createdAt(), c.editedAt());
    }
    if (event instanceof SyncStore.Read r) {
      return ChatFrames.read(w.kind(), w.externalId(), r.username(), MessageIds.format(r.readMessageId()), r.unread());
    }
    SyncStore.Membership m = (SyncStore.Membership) event;
    return m.joined() ? ChatFrames.joined(w.externalId(), m.username()) : ChatFrames.left(w.externalId(), m.username());
  }
}
