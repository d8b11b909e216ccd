package io.chatpresence.presence;

import io.chatpresence.protocol.ErrorCode;
import io.chatpresence.protocol.Frame;
import io.chatpresence.protocol.Frames;
import io.chatpresence.protocol.ProtocolException;
import io.chatpresence.server.socket.SessionRegistry;
import io.chatpresence.server.socket.SocketServer;
import io.chatpresence.server.socket.SocketSession;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Presence sockets: after AUTH, one PRESENCE_UPDATE per online contact; then every change of a contact's
 * status. Clients send nothing else but DISCONNECT.
 */
final class PresenceSocketHandler implements SocketServer.FrameHandler, PresenceTracker.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceSocketHandler.class);
  static final String ONLINE = "online";
  static final String OFFLINE = "offline";

  private final SessionRegistry registry;
  private final ContactStore contacts;
  /** Per socket, the status last sent for each user: the same news is never sent twice. */
  private final Map<SocketSession, Map<String, String>> told = new HashMap<>();
  private PresenceTracker tracker;

  PresenceSocketHandler(SessionRegistry registry, ContactStore contacts) {
    this.registry = registry;
    this.contacts = contacts;
  }

  void tracker(PresenceTracker tracker) {
    this.tracker = tracker;
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
        if (tracker.isOnline(contact)) {
          tell(session, contact, ONLINE, tracker.onlineSince(contact));
        }
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
    told.remove(session);
  }

  /** A status change goes to the presence sockets here of the user's contacts. */
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

  /** New contacts see each other's status at once, not at the next change. */
  void contactsAdded(JsonObject event) {
    String user = event.getString("user");
    List<String> added = event.getJsonArray("contacts").stream().map(String::valueOf).toList();
    for (String contact : added) {
      if (contact.equals(user)) {
        continue;
      }
      tellIfOnline(contact, user);
      tellIfOnline(user, contact);
    }
  }

  private void tellIfOnline(String subject, String viewer) {
    if (tracker.isOnline(subject)) {
      registry.sessions(viewer).forEach(s -> tell(s, subject, ONLINE, tracker.onlineSince(subject)));
    }
  }

  private void tell(SocketSession session, String username, String status, String timestamp) {
    if (!session.isOpen()) {
      return;
    }
    // the tracker's copy of the name: kept per contact per socket, it should not be a copy per database row
    String before = told.computeIfAbsent(session, s -> new HashMap<>()).put(tracker.canonical(username), status);
    if (!status.equals(before)) {
      session.send(Frames.presenceUpdate(username, status, timestamp));
    }
  }
}
