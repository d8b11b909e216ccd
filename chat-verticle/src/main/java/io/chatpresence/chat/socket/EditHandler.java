package io.chatpresence.chat.socket;

import io.chatpresence.chat.ChatFrames;
import io.chatpresence.chat.store.Conversation;
import io.chatpresence.chat.store.EditStore;
import io.chatpresence.chat.store.Kind;
import io.chatpresence.chat.store.MessageIds;
import io.chatpresence.protocol.Features;
import io.chatpresence.protocol.Frame;
import io.chatpresence.protocol.ProtocolException;
import io.chatpresence.server.socket.SocketSession;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * The {@code edit} extension on the chat socket: EDIT_MESSAGE (the author only) and DELETE_MESSAGE (the author,
 * or the group's owner). SUCCESS once committed; then MESSAGE_EDITED / MESSAGE_DELETED to every socket with
 * {@code edit} of the conversation's participants or members, on every node, the actor's other sockets too.
 * Sockets without {@code edit} are never told (their history shows the current text, deleted ones left out).
 */
final class EditHandler {
  private static final Logger LOG = LoggerFactory.getLogger(EditHandler.class);

  private final EditStore edits;
  private final Delivery delivery;
  private final MemberCache members;
  private final int maxContentChars;

  EditHandler(EditStore edits, Delivery delivery, MemberCache members, int maxContentChars) {
    this.edits = edits;
    this.delivery = delivery;
    this.members = members;
    this.maxContentChars = maxContentChars;
  }

  Future<Void> edit(SocketSession session, Frame f) {
    String me = session.username();
    long messageId = MessageIds.parse("messageId", f.requiredString("messageId"));
    String content = f.content(maxContentChars);
    return edits.target(messageId, me).compose(target -> {
      if (target.deleted()) {
        return Future.failedFuture(ProtocolException.notFound("message " + target.messageId() + " was deleted"));
      }
      if (!target.sender().equals(me)) {
        return Future.failedFuture(ProtocolException.forbidden("only its author may edit " + target.messageId()));
      }
      Conversation conv = target.conversation();
      return edits.edit(conv.id(), messageId, me, content).map(editedAt -> {
        session.send(ChatFrames.editSuccess(conv.kind(), conv.externalId(), target.messageId(), editedAt,
          f.clientMsgId()));
        tell(conv, ChatFrames.edited(conv.kind(), conv.externalId(), target.messageId(), me, content,
          target.createdAt(), editedAt).encode(), session.id());
        return null;
      });
    });
  }

  Future<Void> delete(SocketSession session, Frame f) {
    String me = session.username();
    long messageId = MessageIds.parse("messageId", f.requiredString("messageId"));
    return edits.target(messageId, me).compose(target -> {
      Conversation conv = target.conversation();
      boolean owner = conv.kind() == Kind.GROUP && me.equals(conv.owner());
      if (!target.sender().equals(me) && !owner) {
        return Future.failedFuture(ProtocolException.forbidden(
          "only its author" + (conv.kind() == Kind.GROUP ? " or the group's owner" : "") + " may delete "
            + target.messageId()));
      }
      // a repeat (deleted already, here or meanwhile) answers the same and tells nobody again
      Future<OffsetDateTime> deleted = target.deleted() ? Future.succeededFuture(null)
        : edits.delete(conv.id(), messageId);
      return deleted.map(deletedAt -> {
        session.send(ChatFrames.deleteSuccess(conv.kind(), conv.externalId(), target.messageId(), f.clientMsgId()));
        if (deletedAt != null) {
          tell(conv, ChatFrames.deleted(conv.kind(), conv.externalId(), target.messageId(), deletedAt).encode(),
            session.id());
        }
        return null;
      });
    });
  }

  /** To the sockets with {@code edit} of everyone in the conversation, except the socket that acted. */
  private void tell(Conversation conv, String frame, String actorSocket) {
    if (conv.kind() == Kind.CHAT) {
      delivery.toMembers(List.of(conv.userA(), conv.userB()), frame, actorSocket, Features.EDIT);
      return;
    }
    members.members(conv.id(), conv.membersVersion())
      .onSuccess(names -> delivery.toMembers(names, frame, actorSocket, Features.EDIT))
      // committed and acknowledged: sockets that missed it catch up through history (or SYNC)
      .onFailure(e -> LOG.warn("Change in group {} not delivered: {}", conv.externalId(), e.toString()));
  }
}
