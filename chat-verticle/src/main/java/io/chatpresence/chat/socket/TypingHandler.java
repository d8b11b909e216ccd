package io.chatpresence.chat.socket;

import io.chatpresence.chat.store.ConversationStore;
import io.chatpresence.chat.store.Kind;
import io.chatpresence.protocol.Frame;
import io.chatpresence.protocol.ProtocolException;
import io.chatpresence.server.socket.SocketSession;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code typing} extension on the chat socket: checks a TYPING frame and hands it to the {@link TypingRelay}.
 * A repeated {@code typing:true} within 2 s costs no database read (absorbed before any check: the first one
 * was checked); groups over the contacts limit (100) are accepted and not forwarded, and so is a one-to-one
 * {@code typing:true} between users with a block either way. No answer when accepted.
 */
final class TypingHandler {
  private final ConversationStore store;
  private final MemberCache members;
  private final TypingRelay relay;
  private final BlockedCounterparts blocks;
  private final int contactGroupMax;

  TypingHandler(ConversationStore store, MemberCache members, TypingRelay relay, BlockedCounterparts blocks,
                int contactGroupMax) {
    this.store = store;
    this.members = members;
    this.relay = relay;
    this.blocks = blocks;
    this.contactGroupMax = contactGroupMax;
  }

  Future<Void> typing(SocketSession session, Frame f) {
    String me = session.username();
    f.checkActor("username", me);
    ConversationRef ref = ConversationRef.of(f);
    Object value = f.json().getValue("typing");
    if (!(value instanceof Boolean typing)) {
      throw ProtocolException.invalid("field 'typing' is required and must be true or false");
    }
    if (typing && relay.absorb(me, ref.idField(), ref.id())) {
      return Future.succeededFuture();
    }
    return ref.resolve(store, me).compose(conv -> {
      if (!typing) {
        relay.stopped(me, ref.idField(), ref.id());
        return Future.succeededFuture();
      }
      if (conv.kind() == Kind.CHAT) {
        // a block either way: accepted as usual (no answer), and nobody is told
        String other = conv.otherParticipant(me);
        return blocks.eitherWay(me, other).map(blocked -> {
          if (!blocked) {
            relay.started(me, ref.idField(), ref.id(), List.of(other));
          }
          return null;
        });
      }
      if (conv.memberCount() > contactGroupMax) {
        return Future.succeededFuture();
      }
      return members.members(conv.id(), conv.membersVersion()).map(names -> {
        List<String> others = new ArrayList<>(names.size());
        for (String name : names) {
          if (!name.equals(me)) {
            others.add(name);
          }
        }
        relay.started(me, ref.idField(), ref.id(), others);
        return null;
      });
    });
  }

  /** The typist's message in that conversation was sent: the indicator ends. */
  void sent(String me, Kind kind, String conversationId) {
    relay.stopped(me, kind == Kind.CHAT ? "chatId" : "groupId", conversationId);
  }

  void closed(String user) {
    relay.userGone(user);
  }
}
