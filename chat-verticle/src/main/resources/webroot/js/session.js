// The web client's sockets, all through @chatpresence/client (clients/js, copied into ./chatpresence/ by
// `npm run webroot` there): reconnect on the client document's schedule (2, 4, 6, 8, 10 s, then every 10 s),
// the outbox (a message stays pending until its SUCCESS and is resent with the same clientMsgId after a drop),
// pacing, and the catch-up of what arrived while offline. What is left here is what the page shows: the
// connection's state for the banner, and the outbox's entries (pending, failed with Retry and Discard).
// The socket asks for every extension (read state, typing, edit and delete, SYNC catch-up); the server enables
// those it has, and the page shows what it got (`features`).
import { ChatClient, PresenceClient } from './chatpresence/index.js';

export const FEATURES = ['read', 'typing', 'edit', 'sync'];

/**
 * A client's lifecycle as the banner shows it: {status: 'idle' | 'connecting' | 'online' | 'offline' |
 * 'failed' | 'closed', attempt, max, retryAt}; 'failed' is after the five attempts, when it retries every 10 s.
 */
function trackState(client, onStateChange) {
  const view = { state: { status: 'idle' }, everAuthenticated: false };
  let last = null;
  const set = (state) => {
    view.state = state;
    onStateChange?.(state);
  };
  client.on('reconnecting', (e) => { last = e; });
  client.on('open', () => { view.everAuthenticated = true; last = null; });
  client.on('state', (s) => {
    if (s === 'open') set({ status: 'online' });
    else if (s === 'connecting') set({ status: 'connecting', attempt: last?.attempt ?? 0 });
    else if (s === 'waiting') {
      const stalled = last && last.attempt > last.attempts;
      set({ status: stalled ? 'failed' : 'offline', attempt: last?.attempt, max: last?.attempts, retryAt: last?.at });
    } else set({ status: s });
  });
  return view;
}

export class ChatSession {
  /**
   * @param {string} url ws://host:port/ of the chat server
   * @param {string} token the JWT
   * @param {object} handlers onMessage(frame), onInfo(frame), onSent(entry, success), onFailed(entry),
   *   onAuthenticated(isReconnect), onCaughtUp(event), onStateChange(state), onAuthFailed(),
   *   onRead(frame), onTyping(frame), onEdited(frame), onDeleted(frame)
   * @param {object} [options] more options for the library's ChatClient (tests pass a WebSocket and a clock)
   */
  constructor(url, token, handlers, options = {}) {
    this.handlers = handlers;
    this.client = new ChatClient({ url, token, features: FEATURES, ...options });
    this.view = trackState(this.client, handlers.onStateChange);
    this.entries = new Map(); // clientMsgId -> {clientMsgId, convKey, frame, content, createdAt, status, error}
    this.seq = 0;
    this.client.onPrivateMessage = (m) => handlers.onMessage?.(m);
    this.client.onGroupMessage = (m) => handlers.onMessage?.(m);
    this.client.onInfo = (i) => handlers.onInfo?.(i);
    this.client.onRead = (f) => handlers.onRead?.(f);
    this.client.onTyping = (f) => handlers.onTyping?.(f);
    this.client.onMessageEdited = (f) => handlers.onEdited?.(f);
    this.client.onMessageDeleted = (f) => handlers.onDeleted?.(f);
    this.client.on('open', (e) => handlers.onAuthenticated?.(e.reconnect));
    this.client.on('caughtUp', (e) => handlers.onCaughtUp?.(e));
    this.client.on('authFailed', () => handlers.onAuthFailed?.());
  }

  get state() { return this.view.state; }
  get everAuthenticated() { return this.view.everAuthenticated; }
  get isOpen() { return this.client.isOpen; }
  /** Whether the server enabled an extension at the last AUTH (read, typing, edit, sync). */
  has(feature) { return this.client.features.includes(feature); }
  connect() { this.client.connect().catch(() => { /* 4401 and logout are handled through their events */ }); }
  retryNow() { this.client.retryNow(); }
  disconnect() { this.client.disconnect(); }

  /** A clientMsgId (1 to 64 characters) unique to this page. */
  nextId(prefix) {
    this.seq += 1;
    return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${this.seq}`;
  }

  /** A request (history, join, leave): resolves with its answer, rejects with an Error carrying the code. */
  request(frame) {
    return this.client.request(frame);
  }

  /** Queues a message (entry.frame carries entry.clientMsgId); the library sends it when it can. */
  sendMessage(entry) {
    entry.status = 'pending';
    entry.error = null;
    this.entries.set(entry.clientMsgId, entry);
    this.client.request(entry.frame).then((success) => {
      if (this.entries.get(entry.clientMsgId) !== entry) return;
      this.entries.delete(entry.clientMsgId);
      this.handlers.onSent?.(entry, success);
    }, (error) => {
      if (this.entries.get(entry.clientMsgId) !== entry || error.code === 'DISCONNECTED') return;
      entry.status = 'failed';
      entry.error = { code: error.code, msg: error.message };
      this.handlers.onFailed?.(entry);
    });
  }

  /** A failed message again, with the same clientMsgId (nothing was stored). */
  retry(clientMsgId) {
    const entry = this.entries.get(clientMsgId);
    if (entry) this.sendMessage(entry);
  }

  discard(clientMsgId) {
    this.entries.delete(clientMsgId);
  }

  pendingFor(convKey) {
    return [...this.entries.values()].filter((e) => e.convKey === convKey);
  }
}

export class PresenceSession {
  /**
   * @param {object} handlers onAuthenticated(online: Set), onUpdate(frame), onStateChange(state), onAuthFailed()
   */
  constructor(url, token, handlers, options = {}) {
    this.client = new PresenceClient({ url, token, ...options });
    this.view = trackState(this.client, handlers.onStateChange);
    this.client.onPresenceUpdate = (u) => handlers.onUpdate?.(u);
    this.client.on('open', () => handlers.onAuthenticated?.(this.client.online));
    this.client.on('authFailed', () => handlers.onAuthFailed?.());
  }

  get state() { return this.view.state; }
  get everAuthenticated() { return this.view.everAuthenticated; }
  get isOpen() { return this.client.isOpen; }
  connect() { this.client.connect().catch(() => {}); }
  retryNow() { this.client.retryNow(); }
  disconnect() { this.client.disconnect(); }
}
