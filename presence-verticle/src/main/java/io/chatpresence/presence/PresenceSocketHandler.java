package io.chatpresence.presence;

import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.protocol.Frame;
import io.chatpresence.protocol.bus.ContactsChanged;
import io.chatpresence.protocol.ProtocolException;
import io.chatpresence.server.socket.SessionRegistry;
import io.chatpresence.server.socket.SocketServer;
import io.chatpresence.server.socket.SocketSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


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

  /** New contacts see each other's status at once, not at the next change. */
  void contactsAdded(ContactsChanged event) {
    String user = event.user();
    for (String contact : event.contacts()) {
      if (contact.equals(user)) {
        continue;
      }
      registry.sessions(user).forEach(s -> tellIfOnline(s, contact));
      registry.sessions(contact).forEach(s -> tellIfOnline(s, user));
    }
  }

  private void tellIfOnline(SocketSession viewer, String subject) {
    if (tracker.isOnline(subject)) {
      updates.tell(viewer, tracker.canonical(subject), ContactUpdates.ONLINE, tracker.onlineSince(subject));
    }
  }
}
