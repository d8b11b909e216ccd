package io.chatpresence.presence;

import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.protocol.Frame;
import io.chatpresence.protocol.bus.ContactsChanged;
import io.chatpresence.protocol.ProtocolException;
import io.chatpresence.protocol.Timestamps;
import io.chatpresence.server.socket.SessionRegistry;
import io.chatpresence.server.socket.SocketServer;
import io.chatpresence.server.socket.SocketSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;


/**
 * Presence sockets: after AUTH, one PRESENCE_UPDATE per online contact; then every change of a contact's
 * status (sent by {@link ContactUpdates}). Clients send nothing else but DISCONNECT.
 */
final class PresenceSocketHandler implements SocketServer.FrameHandler {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceSocketHandler.class);

  private final SessionRegistry registry;
  private final ContactStore contacts;
  private final PresenceTracker tracker;
  private final ContactUpdates updates;

  PresenceSocketHandler(SessionRegistry registry, ContactStore contacts, PresenceTracker tracker,
                        ContactUpdates updates) {
    this.registry = registry;
    this.contacts = contacts;
    this.tracker = tracker;
    this.updates = updates;
  }

  @Override
  public void onAuthenticated(SocketSession session) {
    contacts.contactsOf(session.username()).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("Presence snapshot for {} failed: {}", session.username(), ar.cause().toString());
        session.error(ErrorCode.UNAVAILABLE, "contacts unavailable, reconnect to get their status", null);
        return;
      }
      for (String contact : ar.result()) {
        tellIfOnline(session, contact);
      }
    });
  }

  @Override
  public void onFrame(SocketSession session, Frame frame) {
    throw new ProtocolException(ErrorCode.UNKNOWN_TYPE,
      "the presence server takes only AUTH and DISCONNECT, not '" + frame.type() + "'");
  }

  @Override
  public void onClosed(SocketSession session) {
    updates.forget(session);
  }

  /**
   * The contacts of {@code user} may have changed (a chat created, a group joined, a block added or removed):
   * read whom {@code user} has as contacts now, and tell both sides at once, not at the next change: new contacts
   * each other's status, those no longer contacts (a block) offline.
   */
  void contactsChanged(ContactsChanged event) {
    String user = event.user();
    if (!registry.hasSessions(user) && event.contacts().stream().noneMatch(registry::hasSessions)) {
      return; // nobody here to tell
    }
    contacts.contactsOf(user).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("Contacts of {} unavailable, their change is shown at the next status change: {}", user,
          ar.cause().toString());
        return;
      }
      Set<String> now = new HashSet<>(ar.result());
      for (String contact : event.contacts()) {
        if (contact.equals(user)) {
          continue;
        }
        if (now.contains(contact)) {
          registry.sessions(user).forEach(s -> tellIfOnline(s, contact));
          registry.sessions(contact).forEach(s -> tellIfOnline(s, user));
        } else {
          String at = Timestamps.now();
          registry.sessions(user).forEach(s -> updates.retract(s, tracker.canonical(contact), at));
          registry.sessions(contact).forEach(s -> updates.retract(s, tracker.canonical(user), at));
        }
      }
    });
  }

  private void tellIfOnline(SocketSession viewer, String subject) {
    if (tracker.isOnline(subject)) {
      updates.tell(viewer, tracker.canonical(subject), ContactUpdates.ONLINE, tracker.onlineSince(subject));
    }
  }
}
