package io.chatpresence.protocol.bus;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.List;

/**
 * Every event-bus address with the one record type that travels on it, so that sender and receiver share a type
 * (a renamed field is a compile error, not a silent null on another node).
 *
 * <table>
 * <caption>Addresses</caption>
 * <tr><th>address</th><th>record</th><th>how</th><th>from → to</th></tr>
 * <tr><td>{@code chat.fanout}</td><td>{@link GroupFanout}</td><td>publish</td><td>chat → every chat instance (every
 * frame for users' chat sockets: 1:1, group, receipts, edits; no per-user addresses)</td></tr>
 * <tr><td>{@code chat.typing}</td><td>{@link TypingNotice}</td><td>publish</td><td>chat (the typist's instance) →
 * every chat instance</td></tr>
 * <tr><td>{@code presence.sockets}</td><td>{@link SocketDelta}</td><td>publish</td><td>socket owners → presence</td></tr>
 * <tr><td>{@code presence.heartbeat}</td><td>{@link SourceHeartbeat}</td><td>publish</td><td>socket owners →
 * presence</td></tr>
 * <tr><td>{@code presence.resync}</td><td>{@link ResyncRequest}</td><td>publish</td><td>presence → socket owners</td></tr>
 * <tr><td>{@code presence.snapshot}</td><td>{@link SourceSnapshot}</td><td>publish</td><td>socket owners →
 * presence</td></tr>
 * <tr><td>{@code presence.status}</td><td>{@link StatusQuery} → {@link StatusReply}</td><td>request</td><td>chat →
 * presence</td></tr>
 * <tr><td>{@code presence.contacts.changed}</td><td>{@link ContactsChanged}</td><td>publish</td><td>chat →
 * presence</td></tr>
 * <tr><td>{@code chat.blocks.changed}</td><td>{@link BlocksChanged}</td><td>publish</td><td>chat → every chat
 * instance</td></tr>
 * <tr><td>{@code auth.token.revoked}</td><td>{@link TokenRevoked}</td><td>publish</td><td>chat → socket owners</td></tr>
 * <tr><td>{@code auth.sessions.revoked}</td><td>{@link SessionsRevoked}</td><td>publish</td><td>chat (admin API) →
 * socket owners</td></tr>
 * <tr><td>{@code presence.ping}</td><td>{@link Ping}</td><td>request</td><td>chat → presence (is it reachable?)</td></tr>
 * </table>
 */
public final class Bus {
  public static final Address<GroupFanout> CHAT_FANOUT = new Address<>("chat.fanout");
  public static final Address<TypingNotice> CHAT_TYPING = new Address<>("chat.typing");
  public static final Address<SocketDelta> PRESENCE_SOCKETS = new Address<>("presence.sockets");
  public static final Address<SourceHeartbeat> PRESENCE_HEARTBEAT = new Address<>("presence.heartbeat");
  public static final Address<ResyncRequest> PRESENCE_RESYNC = new Address<>("presence.resync");
  public static final Address<SourceSnapshot> PRESENCE_SNAPSHOT = new Address<>("presence.snapshot");
  public static final Request<StatusQuery, StatusReply> PRESENCE_STATUS = new Request<>("presence.status");
  public static final Address<ContactsChanged> CONTACTS_CHANGED = new Address<>("presence.contacts.changed");
  /** A block was added or removed: chat instances update the blocked counterparts of their online users. */
  public static final Address<BlocksChanged> BLOCKS_CHANGED = new Address<>("chat.blocks.changed");
  public static final Address<TokenRevoked> TOKEN_REVOKED = new Address<>("auth.token.revoked");
  /** All of a user's sessions ended (revoke, ban, erasure through the server-side API). */
  public static final Address<SessionsRevoked> SESSIONS_REVOKED = new Address<>("auth.sessions.revoked");
  /** Answered by every presence instance; chat asks it to tell whether presence is reachable at all. */
  public static final Request<Ping, Ping> PRESENCE_PING = new Request<>("presence.ping");
  /** Answered by every chat instance; presence asks it to tell whether chat is reachable at all. */
  public static final Request<Ping, Ping> CHAT_PING = new Request<>("chat.ping");

  private static final String CODECS_REGISTERED = "io.chatpresence.protocol.bus.codecs";
  private static final List<RecordCodec<?>> CODECS = List.of(
    new RecordCodec<>(GroupFanout.class, GroupFanout::fromJson),
    new RecordCodec<>(TypingNotice.class, TypingNotice::fromJson),
    new RecordCodec<>(SocketDelta.class, SocketDelta::fromJson),
    new RecordCodec<>(SourceHeartbeat.class, SourceHeartbeat::fromJson),
    new RecordCodec<>(ResyncRequest.class, ResyncRequest::fromJson),
    new RecordCodec<>(SourceSnapshot.class, SourceSnapshot::fromJson),
    new RecordCodec<>(StatusQuery.class, StatusQuery::fromJson),
    new RecordCodec<>(StatusReply.class, StatusReply::fromJson),
    new RecordCodec<>(ContactsChanged.class, ContactsChanged::fromJson),
    new RecordCodec<>(BlocksChanged.class, BlocksChanged::fromJson),
    new RecordCodec<>(TokenRevoked.class, TokenRevoked::fromJson),
    new RecordCodec<>(SessionsRevoked.class, SessionsRevoked::fromJson),
    new RecordCodec<>(Ping.class, Ping::fromJson));

  private Bus() {
  }

  static List<RecordCodec<?>> codecs() {
    return CODECS;
  }

  /**
   * Registers the records' codecs on this Vert.x instance, once however many verticles call it (kept in the
   * instance's local shared data, not in a static).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static void registerCodecs(Vertx vertx) {
    if (vertx.sharedData().getLocalMap(CODECS_REGISTERED).putIfAbsent("registered", Boolean.TRUE) != null) {
      return;
    }
    EventBus bus = vertx.eventBus();
    for (RecordCodec codec : CODECS) {
      bus.registerDefaultCodec(codec.type(), codec);
    }
  }

  /** An address on which one record type is published. */
  public record Address<T extends BusRecord>(String name) {
    public void publish(EventBus bus, T record) {
      bus.publish(name, record);
    }

    public MessageConsumer<T> consumer(EventBus bus, Handler<T> handler) {
      return bus.consumer(name, (Message<T> msg) -> handler.handle(msg.body()));
    }
  }

  /** A request/reply address: a question of one record type answered by another. */
  public record Request<Q extends BusRecord, A extends BusRecord>(String name) {
    public Future<A> request(EventBus bus, Q question, long timeoutMs) {
      return bus.<A>request(name, question, new DeliveryOptions().setSendTimeout(timeoutMs)).map(Message::body);
    }

    /** Answers each question with {@code answer}. */
    public MessageConsumer<Q> replier(EventBus bus, java.util.function.Function<Q, A> answer) {
      return bus.consumer(name, (Message<Q> msg) -> msg.reply(answer.apply(msg.body())));
    }
  }
}
