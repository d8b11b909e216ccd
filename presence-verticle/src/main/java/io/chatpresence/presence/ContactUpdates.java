package io.chatpresence.presence;

import io.chatpresence.protocol.Frames;
import io.chatpresence.server.socket.SessionRegistry;
import io.chatpresence.server.socket.SocketSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * PRESENCE_UPDATE frames to this instance's presence sockets: a status change goes to the sockets of the user's
 * contacts, and no socket is told the same news twice. The tracker tells it of changes; the socket handler uses
 * it for the first statuses after AUTH and for new contacts.
 */
final class ContactUpdates implements PresenceTracker.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(ContactUpdates.class);
  static final String ONLINE = "online";
  static final String OFFLINE = "offline";

  private final SessionRegistry registry;
  private final ContactStore contacts;
  /** Per socket, the status last sent for each user. */
  private final Map<SocketSession, Map<String, String>> told = new HashMap<>();

  ContactUpdates(SessionRegistry registry, ContactStore contacts) {
    this.registry = registry;
    this.contacts = contacts;
  }

  /** {@code username} is the tracker's own String for the user (see {@link PresenceTracker#canonical}). */
  @Override
  public void statusChanged(String username, boolean online, String timestamp) {
    if (registry.userCount() == 0) {
      return;
    }
    String status = online ? ONLINE : OFFLINE;
    contacts.contactsOf(username).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("Contacts of {} unavailable, status change not sent: {}", username, ar.cause().toString());
        return;
      }
      for (String contact : ar.result()) {
        registry.sessions(contact).forEach(s -> tell(s, username, status, timestamp));
      }
    });
  }

  /**
   * Tells one socket, unless it was told this already. {@code username} should be the tracker's copy of the name:
   * it is kept per contact per socket, and should not be a copy per database row.
   */
  void tell(SocketSession session, String username, String status, String timestamp) {
    if (!session.isOpen()) {
      return;
    }
    String before = told.computeIfAbsent(session, s -> new HashMap<>()).put(username, status);
    if (!status.equals(before)) {
      session.send(Frames.presenceUpdate(username, status, timestamp));
    }
  }

  /**
   * {@code username} is no longer a contact of this socket's user (a block): if the socket was told they are
   * online, it is told offline now; otherwise nothing is sent.
   */
  void retract(SocketSession session, String username, String timestamp) {
    Map<String, String> statuses = told.get(session);
    if (session.isOpen() && statuses != null && ONLINE.equals(statuses.get(username))) {
      statuses.put(username, OFFLINE);
      session.send(Frames.presenceUpdate(username, OFFLINE, timestamp));
    }
  }

  void forget(SocketSession session) {
    told.remove(session);
  }
}
