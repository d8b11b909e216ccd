// The chat socket's conversation layer: requests answered by clientMsgId (history, join, leave), and an outbox
// for messages, so that every message shows as pending until its SUCCESS (the server acknowledges only after
// storing it), stays pending while offline, and is resent with the same clientMsgId after a reconnect (the server
// treats a repeated clientMsgId as the same message: nothing is stored or delivered twice).

export class ChatError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const REQUEST_TIMEOUT_MS = 15000;

export class ChatClient {
  /**
   * @param {import('./connection.js').ChatWebSocket} connection
   * @param {object} handlers onMessage(frame), onInfo(frame), onSent(entry, success), onFailed(entry),
   *                          onError(frame) for errors that answer nothing we are waiting for
   */
  constructor(handlers) {
    this.connection = null;
    this.handlers = handlers;
    this.seq = 0;
    this.waiting = new Map(); // clientMsgId -> {resolve, reject, timer}
    this.outbox = new Map(); // clientMsgId -> {clientMsgId, convKey, frame, content, createdAt, status, error}
  }

  attach(connection) {
    this.connection = connection;
  }

  /** A clientMsgId (1 to 64 characters) unique to this page. */
  nextId(prefix) {
    this.seq += 1;
    return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${this.seq}`;
  }

  /** Sends a request frame and resolves with its answer (rejects with ChatError on ERROR or when offline). */
  request(frame, timeoutMs = REQUEST_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      if (!this.connection?.isOpen) {
        reject(new ChatError('OFFLINE', 'Not connected to the chat server. It will be retried when the connection is back.'));
        return;
      }
      const id = this.nextId('r');
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new ChatError('TIMEOUT', 'The server did not answer in time. Try again.'));
      }, timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      this.connection.send({ ...frame, clientMsgId: id });
    });
  }

  /** Queues a message (entry.frame carries entry.clientMsgId) and sends it now if connected. */
  sendMessage(entry) {
    entry.status = 'pending';
    entry.error = null;
    this.outbox.set(entry.clientMsgId, entry);
    this.connection?.send(entry.frame);
  }

  retry(clientMsgId) {
    const entry = this.outbox.get(clientMsgId);
    if (!entry) return;
    entry.status = 'pending';
    entry.error = null;
    this.connection?.send(entry.frame);
  }

  discard(clientMsgId) {
    this.outbox.delete(clientMsgId);
  }

  pendingFor(convKey) {
    return [...this.outbox.values()].filter((e) => e.convKey === convKey);
  }

  /** After (re)authentication: send again what has no SUCCESS yet, oldest first. */
  flushOutbox() {
    for (const entry of this.outbox.values()) {
      if (entry.status === 'pending') this.connection?.send(entry.frame);
    }
  }

  /** The socket went away: requests in flight will not be answered on it. */
  connectionLost() {
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(new ChatError('OFFLINE', 'The connection to the chat server was lost. Try again when it is back.'));
      this.waiting.delete(id);
    }
  }

  handleFrame(frame) {
    const id = frame.clientMsgId;
    if (id && this.waiting.has(id)) {
      const w = this.waiting.get(id);
      this.waiting.delete(id);
      clearTimeout(w.timer);
      if (frame.type === 'ERROR') w.reject(new ChatError(frame.code, frame.msg));
      else w.resolve(frame);
      return;
    }
    if (id && this.outbox.has(id)) {
      const entry = this.outbox.get(id);
      if (frame.type === 'SUCCESS') {
        this.outbox.delete(id);
        this.handlers.onSent?.(entry, frame);
      } else if (frame.type === 'ERROR') {
        entry.status = 'failed';
        entry.error = { code: frame.code, msg: frame.msg };
        this.handlers.onFailed?.(entry);
      }
      return;
    }
    switch (frame.type) {
      case 'ONE_TO_ONE_CHAT':
      case 'GROUP_CHAT':
        this.handlers.onMessage?.(frame);
        break;
      case 'INFO':
        this.handlers.onInfo?.(frame);
        break;
      case 'ERROR':
        this.handlers.onError?.(frame);
        break;
      default:
        break; // late answers to requests that timed out, SUCCESS of nothing we track
    }
  }
}
