package io.chatpresence.chat.socket;

import io.chatpresence.chat.ChatFrames;
import io.chatpresence.chat.store.Conversation;
import io.chatpresence.chat.store.ConversationStore;
import io.chatpresence.chat.store.InboxCursor;
import io.chatpresence.chat.store.Kind;
import io.chatpresence.chat.store.MessageIds;
import io.chatpresence.chat.store.ReadStore;
import io.chatpresence.chat.store.StoredMessage;
import io.chatpresence.protocol.Features;
import io.chatpresence.protocol.Frame;
import io.chatpresence.protocol.MessageType;
import io.chatpresence.server.socket.SocketSession;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code read} extension on the chat socket: MARK_READ, GET_INBOX, and what a moved read position tells
 * others (READ frames, only to sockets that opted into {@code read}):
 * <ul>
 * <li>the reader's other sockets, on any node: {@code READ} with {@code unread};</li>
 * <li>in a chat, the partner's sockets: the receipt ({@code READ} without {@code unread}), unless one of the
 * two blocks the other ({@link BlockedCounterparts});</li>
 * <li>in a group of at most the contacts limit (100) members, the other members' sockets: the receipt, at most
 * one per reader and group a second, the latest ({@link GroupReceipts}); in a larger group nobody else.</li>
 * </ul>
 */
final class ReadHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ReadHandler.class);
  static final int INBOX_DEFAULT = 50;
  static final int INBOX_MAX = 200;

  /** A group receipt waiting for its second: the frame and whom it is for. */
  private record GroupReceipt(Conversation group, String reader, String frame) {
  }

  private final ConversationStore store;
  private final ReadStore reads;
  private final Delivery delivery;
  private final MemberCache members;
  private final BlockedCounterparts blocks;
  private final int contactGroupMax;
  private final GroupReceipts groupReceipts;

  ReadHandler(Vertx vertx, ConversationStore store, ReadStore reads, Delivery delivery, MemberCache members,
              BlockedCounterparts blocks, int contactGroupMax) {
    this.store = store;
    this.reads = reads;
    this.delivery = delivery;
    this.members = members;
    this.blocks = blocks;
    this.contactGroupMax = contactGroupMax;
    this.groupReceipts = new GroupReceipts(vertx, (key, receipt) -> sendGroupReceipt((GroupReceipt) receipt));
  }

  Future<Void> markRead(SocketSession session, Frame f) {
    String me = session.username();
    ConversationRef ref = ConversationRef.of(f);
    long messageId = MessageIds.parse("messageId", f.requiredString("messageId"));
    return ref.resolve(store, me).compose(conv -> reads.markRead(conv, me, messageId).map(marked -> {
      session.send(ChatFrames.readSuccess(conv.kind(), conv.externalId(), marked.readMessageId(), marked.unread(),
        f.clientMsgId()));
      if (marked.moved()) {
        moved(conv, me, MessageIds.format(marked.readMessageId()), marked.unread(), session.id());
      }
      return null;
    }));
  }

  /**
   * A message was stored: the sender's position moved to it. When that passed someone else's message, the
   * sender's other sockets and the others hear of it as after a MARK_READ (unread is 0 right after a send, as
   * of the send: a message of someone else committed meanwhile reaches the socket after this).
   */
  void sent(SocketSession session, Conversation conv, StoredMessage m) {
    if (m.readPastOthers()) {
      moved(conv, m.from(), m.messageId(), 0, session.id());
    }
  }

  private void moved(Conversation conv, String reader, String messageId, long unread, String skipSocket) {
    delivery.toUser(reader, ChatFrames.read(conv.kind(), conv.externalId(), reader, messageId, unread).encode(),
      skipSocket, Features.READ);
    String receipt = ChatFrames.read(conv.kind(), conv.externalId(), reader, messageId, null).encode();
    if (conv.kind() == Kind.CHAT) {
      String partner = conv.otherParticipant(reader);
      blocks.eitherWay(reader, partner).onSuccess(blocked -> {
        if (!blocked) {
          delivery.toUser(partner, receipt, null, Features.READ);
        }
      }).onFailure(e -> LOG.debug("Receipt in chat {} not sent: {}", conv.externalId(), e.toString()));
    } else if (conv.memberCount() <= contactGroupMax) {
      groupReceipts.offer(reader + ' ' + conv.externalId(), new GroupReceipt(conv, reader, receipt));
    }
  }

  private void sendGroupReceipt(GroupReceipt r) {
    members.members(r.group().id(), r.group().membersVersion()).onSuccess(names -> {
      if (names.size() > contactGroupMax) {
        return;
      }
      List<String> others = new ArrayList<>(names.size());
      for (String name : names) {
        if (!name.equals(r.reader())) {
          others.add(name);
        }
      }
      delivery.toMembers(others, r.frame(), null, Features.READ);
    }).onFailure(e -> LOG.debug("Receipt in group {} not sent: {}", r.group().externalId(), e.toString()));
  }

  Future<Void> inbox(SocketSession session, Frame f) {
    int limit = f.optionalInt("limit", 1, INBOX_MAX, INBOX_DEFAULT);
    String cursor = f.optionalString("cursor");
    InboxCursor parsed = cursor == null ? null : InboxCursor.parse("cursor", cursor);
    return reads.inbox(session.username(), limit, parsed).map(page -> {
      JsonObject frame = new JsonObject().put("type", MessageType.INBOX).mergeIn(ChatFrames.inbox(page));
      if (f.clientMsgId() != null) {
        frame.put("clientMsgId", f.clientMsgId());
      }
      session.send(frame);
      return null;
    });
  }

  void stop() {
    groupReceipts.stop();
  }
}
