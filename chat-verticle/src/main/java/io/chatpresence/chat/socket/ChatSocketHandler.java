package io.chatpresence.chat.socket;

import io.chatpresence.chat.ChatFrames;
import io.chatpresence.chat.store.BlockStore;
import io.chatpresence.chat.store.Conversation;
import io.chatpresence.chat.store.ConversationStore;
import io.chatpresence.chat.store.EditStore;
import io.chatpresence.chat.store.Kind;
import io.chatpresence.chat.store.MessageIds;
import io.chatpresence.chat.store.ReadStore;
import io.chatpresence.chat.store.StoredMessage;
import io.chatpresence.chat.store.SyncStore;
import io.chatpresence.chat.store.SyncTokens;
import io.chatpresence.chat.store.SyncWatermark;
import io.chatpresence.protocol.bus.Bus;
import io.chatpresence.protocol.bus.ContactsChanged;
import io.chatpresence.server.metrics.Metrics;
import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.protocol.Features;
import io.chatpresence.protocol.Frame;
import io.chatpresence.protocol.Frames;
import io.chatpresence.protocol.MessageType;
import io.chatpresence.protocol.Names;
import io.chatpresence.protocol.ProtocolException;
import io.chatpresence.server.socket.SocketServer;
import io.chatpresence.server.ThrottledLog;
import io.chatpresence.server.socket.SocketSession;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The chat protocol after AUTH. Each socket's frames are handled one after another, so a client's messages
 * are stored and answered in the order it sent them.
 */
public final class ChatSocketHandler implements SocketServer.FrameHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ChatSocketHandler.class);
  private static final String ONE = "one_to_one";
  private static final String GROUP = "group";

  /** The chat limits this handler needs beyond the socket limits. */
  public record Settings(int maxContentChars, int historyDefault, int historyMax, int contactGroupMax) {
  }

  private final Vertx vertx;
  private final ConversationStore store;
  private final Delivery delivery;
  private final Settings settings;
  private final Metrics metrics;
  private final MemberCache groupMembers;
  private final ReadHandler reads;
  private final TypingRelay typingRelay;
  private final TypingHandler typing;
  private final BlockedCounterparts blocks;
  private final EditHandler edits;
  private final SyncHandler sync;
  /** Each socket's last frame still being handled (identity keys: a session is its own key). */
  private final Map<SocketSession, Future<Void>> tails = new HashMap<>();
  /** Per socket: the answers to its messages queued for storing, chained in the order sent. */
  private final Map<SocketSession, Future<Void>> answers = new HashMap<>();
  private final Map<SocketSession, Integer> queuedSends = new HashMap<>();
  /** Messages of one socket queued for storing before its next frame waits for an answer. */
  private static final int MAX_QUEUED_SENDS = 32;
  /** During an outage every send fails: log the first and then a count every few seconds, not each one. */
  private final ThrottledLog storageFailures = new ThrottledLog(5_000);

  public ChatSocketHandler(Vertx vertx, ConversationStore store, ReadStore readStore, BlockStore blockStore,
                           EditStore editStore, SyncStore syncStore, SyncWatermark watermark, SyncTokens syncTokens,
                           Delivery delivery, Settings settings) {
    this.vertx = vertx;
    this.store = store;
    this.delivery = delivery;
    this.settings = settings;
    this.metrics = Metrics.of(vertx);
    this.groupMembers = new MemberCache(store::members, MemberCache.MAX_NAMES);
    this.blocks = new BlockedCounterparts(vertx, blockStore, delivery.registry());
    this.reads = new ReadHandler(vertx, store, readStore, delivery, groupMembers, blocks, settings.contactGroupMax());
    this.typingRelay = new TypingRelay(vertx, delivery.registry());
    this.typing = new TypingHandler(store, groupMembers, typingRelay, blocks, settings.contactGroupMax());
    this.edits = new EditHandler(editStore, delivery, groupMembers, settings.maxContentChars());
    this.sync = new SyncHandler(syncStore, watermark, syncTokens, settings.contactGroupMax());
  }

  /** Consumes the typing notices and block changes of every chat instance; complete before accepting sockets. */
  public Future<Void> start() {
    return Future.all(typingRelay.start(), blocks.start()).mapEmpty();
  }

  public void stop() {
    typingRelay.stop();
    reads.stop();
  }

  @Override
  public void onAuthenticated(SocketSession session) {
  }

  @Override
  public void onClosed(SocketSession session) {
    if (!delivery.registry().hasSessions(session.username())) {
      typing.closed(session.username());
      blocks.forget(session.username());
    }
  }

  @Override
  public void onFrame(SocketSession session, Frame frame) {
    long received = System.nanoTime();
    Function<Frame, Future<Void>> action = switch (frame.type()) {
      case MessageType.ONE_TO_ONE_CHAT -> f -> queueOneToOne(session, f, received);
      case MessageType.GROUP_CHAT -> f -> queueGroup(session, f, received);
      case MessageType.GET_ONE_TO_ONE_HISTORY -> f -> oneToOneHistory(session, f);
      case MessageType.GET_GROUP_CHAT_HISTORY -> f -> groupHistory(session, f);
      case MessageType.JOIN_GROUP -> f -> join(session, f);
      case MessageType.LEAVE_GROUP -> f -> leave(session, f);
      case MessageType.MARK_READ -> f -> reads.markRead(session, requires(session, f, Features.READ));
      case MessageType.GET_INBOX -> f -> reads.inbox(session, requires(session, f, Features.READ));
      case MessageType.TYPING -> f -> typing.typing(session, requires(session, f, Features.TYPING));
      case MessageType.EDIT_MESSAGE -> f -> edits.edit(session, requires(session, f, Features.EDIT));
      case MessageType.DELETE_MESSAGE -> f -> edits.delete(session, requires(session, f, Features.EDIT));
      case MessageType.SYNC -> f -> sync.sync(session, requires(session, f, Features.SYNC));
      default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown type '" + frame.type() + "'");
    };
    enqueue(session, frame, action);
  }

  /** Extension frames are for sockets that opted in; to others they are unknown, as in the client document. */
  private static Frame requires(SocketSession session, Frame f, int feature) {
    if (!session.has(feature)) {
      throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown type '" + f.type() + "' (opt into the feature '"
        + Features.name(feature) + "' at AUTH to use it)");
    }
    return f;
  }

  private void enqueue(SocketSession session, Frame frame, Function<Frame, Future<Void>> action) {
    Future<Void> previous = tails.getOrDefault(session, Future.succeededFuture());
    if (!MessageType.ONE_TO_ONE_CHAT.equals(frame.type()) && !MessageType.GROUP_CHAT.equals(frame.type())) {
      // any other frame waits until the socket's queued messages are stored and answered (it may read them)
      previous = previous.transform(v -> answers.getOrDefault(session, Future.succeededFuture()));
    }
    Future<Void> next = previous.transform(ignored -> {
      Future<Void> done;
      try {
        done = action.apply(frame);
      } catch (RuntimeException e) {
        done = Future.failedFuture(e);
      }
      return done.recover(e -> {
        sendError(session, frame, e);
        return Future.succeededFuture();
      });
    });
    tails.put(session, next);
    next.onComplete(v -> tails.remove(session, next));
  }

  // ---- sending --------------------------------------------------------------------------------------

  /** A one-to-one frame's fields, checked (the sender is the socket's user, not the recipient). */
  private record OneToOne(String me, String to, String content, String chatId, String clientMsgId) {
  }

  private OneToOne oneToOne(SocketSession session, Frame f) {
    String me = session.username();
    f.checkActor("from", me);
    String to = f.requiredUsername("to");
    if (to.equals(me)) {
      throw ProtocolException.invalid("'to' must be another user");
    }
    return new OneToOne(me, to, f.content(settings.maxContentChars()), f.optionalConversationId("chatId"),
      f.validClientMsgId());
  }

  /** The pair's chat, created on first use (the two become contacts). */
  private Future<Conversation> chatOf(OneToOne o) {
    return store.chatFor(o.me(), o.to(), o.chatId()).map(chat -> {
      if (chat.created()) {
        contactsChanged(o.me(), List.of(o.to()));
      }
      return chat;
    });
  }

  /** A one-to-one message: see {@link #queueSend}. */
  private Future<Void> queueOneToOne(SocketSession session, Frame f, long received) {
    OneToOne o;
    Future<Conversation> found;
    try {
      o = oneToOne(session, f);
      found = chatOf(o);
    } catch (RuntimeException e) {
      o = null;
      found = Future.failedFuture(e);
    }
    OneToOne m = o;
    return queueSend(session, f, found, chat -> store.insert(chat, m.me(), m.content(), m.clientMsgId()), (chat, stored) -> {
      answerOneToOne(session, chat, stored, m.clientMsgId(), received);
      return Future.succeededFuture();
    });
  }

  /** A group message: see {@link #queueSend}. */
  private Future<Void> queueGroup(SocketSession session, Frame f, long received) {
    GroupSend g;
    Future<Conversation> found;
    try {
      g = groupSend(session, f);
      found = store.groupForMember(g.groupId(), g.me());
    } catch (RuntimeException e) {
      g = null;
      found = Future.failedFuture(e);
    }
    GroupSend m = g;
    return queueSend(session, f, found, group -> store.insert(group, m.me(), m.content(), m.clientMsgId()),
      (group, stored) -> answerGroup(session, group, stored, m.clientMsgId(), received));
  }

  /**
   * A message, queued for insert: the socket's next frame is read once this message is queued, so a sender's next
   * message can go into the next batch instead of waiting for this one's commit (docs/performance.md). Order is
   * kept: a conversation's batches commit in queue order (one lane per conversation, one batch out at a time in
   * each), a refused batch runs again one execution at a time in that order, and the answers (SUCCESS or ERROR,
   * then the deliveries) follow one chain per socket in the order sent. At most {@link #MAX_QUEUED_SENDS} wait per
   * socket.
   */
  private Future<Void> queueSend(SocketSession session, Frame f, Future<Conversation> target,
                                 Function<Conversation, Future<StoredMessage>> insert,
                                 BiFunction<Conversation, StoredMessage, Future<Void>> answer) {
    Future<StoredMessage> result = target.compose(insert);
    queuedSends.merge(session, 1, Integer::sum);
    Future<Void> answered = answers.getOrDefault(session, Future.succeededFuture())
      .transform(v -> result)
      .transform(r -> {
        if (queuedSends.merge(session, -1, Integer::sum) <= 0) {
          queuedSends.remove(session);
        }
        if (r.failed()) {
          sendError(session, f, r.cause());
          return Future.<Void>succeededFuture();
        }
        return answer.apply(target.result(), r.result());
      });
    answers.put(session, answered);
    answered.onComplete(v -> answers.remove(session, answered));
    // the socket's next frame waits for the queueing (its conversation looked up, its insert queued) and, past
    // the bound, for this message's answer
    Future<Void> queued = target.<Void>mapEmpty().otherwiseEmpty();
    return queuedSends.getOrDefault(session, 0) >= MAX_QUEUED_SENDS ? answered : queued;
  }

  private void answerOneToOne(SocketSession session, Conversation chat, StoredMessage m, String clientMsgId, long received) {
    String me = session.username();
    session.send(ChatFrames.sent(m, clientMsgId));
    metrics.acknowledged(ONE, received);
    if (!m.duplicate()) {
      String encoded = ChatFrames.received(m).encode();
      metrics.fanout(ONE, 1);
      // the recipient's sockets and the sender's others, in one publish
      delivery.toMembers(List.of(m.to(), me), encoded, session.id());
      typing.sent(me, Kind.CHAT, m.conversationId());
      reads.sent(session, chat, m);
    }
  }

  /** A group frame's fields, checked (the sender is the socket's user). */
  private record GroupSend(String me, String groupId, String content, String clientMsgId) {
  }

  private GroupSend groupSend(SocketSession session, Frame f) {
    String me = session.username();
    f.checkActor("from", me);
    return new GroupSend(me, f.requiredConversationId("groupId"), f.content(settings.maxContentChars()),
      f.validClientMsgId());
  }

  /** SUCCESS to the sender, then the message to every member (completes once handed to the members' sockets). */
  private Future<Void> answerGroup(SocketSession session, Conversation group, StoredMessage m, String clientMsgId,
                                   long received) {
    session.send(ChatFrames.sent(m, clientMsgId));
    metrics.acknowledged(GROUP, received);
    if (m.duplicate()) {
      return Future.succeededFuture();
    }
    typing.sent(session.username(), Kind.GROUP, m.conversationId());
    reads.sent(session, group, m);
    return deliverToMembers(group, m, session.id());
  }

  /** The group's members at the version read with the sender's membership check (or later), then one fan-out. */
  private Future<Void> deliverToMembers(Conversation group, StoredMessage m, String senderSocket) {
    String encoded = ChatFrames.received(m).encode();
    return groupMembers.members(group.id(), group.membersVersion()).<Void>map(members -> {
      metrics.fanout(GROUP, members.size() - 1);
      delivery.toMembers(members, encoded, senderSocket);
      return null;
    }).recover(e -> {
      // acknowledged and stored: members catch up through history
      LOG.warn("Delivery of {} to group {} failed: {}", m.messageId(), group.externalId(), e.toString());
      return Future.succeededFuture();
    });
  }

  // ---- the server-side API: the same paths as a socket's frames -------------------------------------

  /**
   * A message sent as {@code from} (to a user, or to a group it is a member of): stored and delivered like a
   * socket's message; every socket of the sender gets it too, since none sent it.
   */
  public Future<StoredMessage> sendAs(String from, String to, String groupId, String content) {
    if (groupId != null) {
      return store.groupForMember(groupId, from).compose(group -> store.insert(group, from, content, null)
        .compose(m -> deliverToMembers(group, m, null).map(m)));
    }
    return store.chatFor(from, to, null).compose(chat -> {
      if (chat.created()) {
        contactsChanged(from, List.of(to));
      }
      return store.insert(chat, from, content, null);
    }).map(m -> {
      String encoded = ChatFrames.received(m).encode();
      metrics.fanout(ONE, 1);
      delivery.toMembers(List.of(m.to(), from), encoded, null);
      return m;
    });
  }

  /** Adds a member to an existing group (NOT_FOUND otherwise), INFO JOINED to every member; false: was one. */
  public Future<Boolean> addMember(String groupId, String username) {
    return store.conversation(Kind.GROUP, groupId).compose(existing -> existing == null
      ? Future.failedFuture(ProtocolException.notFound("no group " + groupId))
      : store.join(groupId, groupId, username)).compose(joined -> {
        if (!joined.added()) {
          return Future.succeededFuture(false);
        }
        return groupMembers.refresh(joined.group().id(), joined.group().membersVersion() + 1).map(members -> {
          delivery.toMembers(members, ChatFrames.joined(groupId, username)
            .encode(), null);
          if (members.size() <= settings.contactGroupMax()) {
            contactsChanged(username, members);
          }
          return true;
        });
      });
  }

  /** Removes a member (NOT_FOUND, FORBIDDEN for a non-member), INFO LEFT to the remaining members and to them. */
  public Future<Void> removeMember(String groupId, String username) {
    return store.leave(groupId, username).compose(group ->
      groupMembers.refresh(group.id(), group.membersVersion() + 1).map(members -> {
        List<String> told = new ArrayList<>(members);
        told.add(username);
        delivery.toMembers(told, ChatFrames.left(groupId, username).encode(), null);
        return null;
      }));
  }

  /** A group the server-side API created with its members: each member hears INFO JOINED for each. */
  public void groupCreated(String groupId, List<String> members) {
    for (String member : members) {
      delivery.toMembers(members, ChatFrames.joined(groupId, member).encode(), null);
    }
    if (members.size() <= settings.contactGroupMax()) {
      for (String member : members) {
        contactsChanged(member, members);
      }
    }
  }

  // ---- history --------------------------------------------------------------------------------------

  private Future<Void> oneToOneHistory(SocketSession session, Frame f) {
    String me = session.username();
    f.checkActor("from", me);
    String chatId = f.optionalConversationId("chatId");
    String to = f.optionalString("to");
    if (to != null) {
      to = f.requiredUsername("to");
    }
    if (chatId == null && to == null) {
      throw ProtocolException.invalid("give 'chatId' or 'to'");
    }
    Cursor cursor = cursor(f);
    String partner = to;
    Future<Conversation> chat = chatId == null ? store.existingChat(me, partner)
      : store.conversation(Kind.CHAT, chatId).compose(c -> {
        if (c != null) {
          return c.isParticipant(me) ? Future.succeededFuture(c)
            : Future.failedFuture(ProtocolException.forbidden("not a participant of chat " + chatId));
        }
        return partner == null || partner.equals(me) ? Future.succeededFuture(null) : store.existingChat(me, partner);
      });
    return chat.compose(c -> {
      if (c == null) {
        // nothing was ever said: an empty page, not an error
        session.send(ChatFrames.emptyChatHistory(chatId, f.clientMsgId()));
        return Future.succeededFuture();
      }
      return page(session, f, c, cursor);
    });
  }

  private Future<Void> groupHistory(SocketSession session, Frame f) {
    String groupId = f.requiredConversationId("groupId");
    Cursor cursor = cursor(f);
    return store.groupForMember(groupId, session.username()).compose(g -> page(session, f, g, cursor));
  }

  private record Cursor(int limit, Long before, Long after) {
  }

  private Cursor cursor(Frame f) {
    int limit = f.optionalInt("limit", 1, settings.historyMax(), settings.historyDefault());
    String before = f.optionalString("before");
    String after = f.optionalString("after");
    if (before != null && after != null) {
      throw ProtocolException.invalid("give 'before' or 'after', not both");
    }
    return new Cursor(limit, before == null ? null : MessageIds.parse("before", before),
      after == null ? null : MessageIds.parse("after", after));
  }

  private Future<Void> page(SocketSession session, Frame f, Conversation conv, Cursor cursor) {
    boolean edit = session.has(Features.EDIT);
    return store.history(conv, cursor.limit(), cursor.before(), cursor.after(), edit).map(p -> {
      session.send(ChatFrames.history(conv, p.messages(), p.hasMore(), edit, f.clientMsgId()));
      return null;
    });
  }

  // ---- groups ---------------------------------------------------------------------------------------

  private Future<Void> join(SocketSession session, Frame f) {
    String me = session.username();
    f.checkActor("username", me);
    String groupId = f.requiredConversationId("groupId");
    String name = f.optionalString("name");
    if (name != null && !Names.isGroupName(name)) {
      throw ProtocolException.invalid("field 'name' must be " + Names.GROUP_NAME_RULE);
    }
    return store.join(groupId, name == null ? groupId : name, me).compose(joined -> {
      JsonObject success = withClientMsgId(Frames.success(joined.added() ? "joined" : "already a member")
        .put("groupId", groupId), f);
      if (!joined.added()) {
        session.send(success);
        return Future.succeededFuture();
      }
      return successAfter(session, success,
        groupMembers.refresh(joined.group().id(), joined.group().membersVersion() + 1).map(members -> {
          tellMembers(members, me, ChatFrames.joined(groupId, me));
          if (members.size() <= settings.contactGroupMax()) {
            contactsChanged(me, members);
          }
          return null;
        }));
    });
  }

  private Future<Void> leave(SocketSession session, Frame f) {
    String me = session.username();
    f.checkActor("username", me);
    String groupId = f.requiredConversationId("groupId");
    return store.leave(groupId, me).compose(group -> successAfter(session,
      withClientMsgId(Frames.success("left").put("groupId", groupId), f),
      groupMembers.refresh(group.id(), group.membersVersion() + 1).map(members -> {
        tellMembers(members, me, ChatFrames.left(groupId, me));
        return null;
      })));
  }

  /**
   * SUCCESS of a join or leave once the members have been told (the change is committed either way): the
   * member list is read before the SUCCESS, so whoever joins after seeing it is not told of this earlier change.
   */
  private static Future<Void> successAfter(SocketSession session, JsonObject success, Future<Void> told) {
    return told.transform(ar -> {
      session.send(success);
      return ar.succeeded() ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(ar.cause());
    });
  }

  private void tellMembers(List<String> members, String except, JsonObject frame) {
    List<String> others = new ArrayList<>(members.size());
    for (String member : members) {
      if (!member.equals(except)) {
        others.add(member);
      }
    }
    delivery.toMembers(others, frame.encode(), null);
  }

  /** Presence shows new contacts each other's status without waiting for their next change. */
  private void contactsChanged(String user, List<String> contacts) {
    Bus.CONTACTS_CHANGED.publish(vertx.eventBus(), new ContactsChanged(user, contacts));
  }

  private static JsonObject withClientMsgId(JsonObject frame, Frame request) {
    return request.clientMsgId() == null ? frame : frame.put("clientMsgId", request.clientMsgId());
  }

  private void sendError(SocketSession session, Frame frame, Throwable e) {
    if (e instanceof ProtocolException pe) {
      session.error(pe.code(), pe.getMessage(), frame.clientMsgId());
    } else {
      storageFailures.warn(LOG, frame.type() + " failed: " + e);
      session.error(ErrorCode.UNAVAILABLE, "storage unavailable: nothing was done, try again", frame.clientMsgId());
    }
  }
}
