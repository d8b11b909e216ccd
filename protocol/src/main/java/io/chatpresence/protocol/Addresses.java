package io.chatpresence.protocol;

/** Event-bus addresses. Payloads are JSON objects (or strings), never Java serialization. */
public final class Addresses {
  private Addresses() {
  }

  /**
   * Per user: frames for that user's chat sockets; the body is the encoded frame, a {@code skip} header names
   * a socket that must not get it.
   */
  public static final String CHAT_USER_PREFIX = "chat.user.";

  /**
   * Published, consumed by every chat verticle instance: one frame for many users (a group),
   * {@code {"frame": encoded, "members": [name, ...], "skip": socketId?}}; each instance writes it to its
   * own sockets of those users.
   */
  public static final String CHAT_FANOUT = "chat.fanout";

  /**
   * Published: an authenticated socket opened or closed, {@code {"username","source","node","delta"}}. A
   * source is one verticle instance owning sockets; {@code node} is its cluster node.
   */
  public static final String PRESENCE_SOCKETS = "presence.sockets";

  /**
   * Published by presence: socket owners re-announce their counts, {@code {"source"?}} (all owners when no
   * source is named). Sent when a presence verticle starts and when a heartbeat shows it missed events.
   */
  public static final String PRESENCE_RESYNC = "presence.resync";

  /** Published answer to a resync: {@code {"source","node","published","counts":{user:n}}}. */
  public static final String PRESENCE_SNAPSHOT = "presence.snapshot";

  /** Published by every socket owner every few seconds: {@code {"source","node","published"}}. */
  public static final String PRESENCE_HEARTBEAT = "presence.heartbeat";

  /** Request/reply: {@code {"usernames":[..]}} answered {@code {"statuses":{user:"online"|"offline"}}}. */
  public static final String PRESENCE_STATUS = "presence.status";

  /** Published: users who just became contacts, {@code {"users":[a, b, ...]}}. */
  public static final String CONTACTS_CHANGED = "presence.contacts.changed";

  /** Published: a token was revoked, {@code {"jti","username"}}; every node closes its sockets. */
  public static final String TOKEN_REVOKED = "auth.token.revoked";

  public static String chatUser(String username) {
    return CHAT_USER_PREFIX + username;
  }
}
