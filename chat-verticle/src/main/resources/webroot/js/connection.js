// The connection classes of the client document (shared/client-protocol.txt): AUTH first, then frames;
// on an unexpected close, reconnect after 2000 * attempt ms, at most 5 attempts. Differences, all so that a
// person can rely on the page:
//  - the attempt counter is reset once the server has accepted the token (SUCCESS "authenticated"), not
//    when the socket merely opens, so a server that accepts TCP but refuses AUTH cannot loop forever;
//  - a close with 4401 (token refused or revoked: logged out elsewhere) ends the session instead of retrying;
//  - the presence socket reconnects on the same schedule (the document's PresenceWebSocket never does);
//  - after the last attempt the connection stays down until retryNow() (a "Retry now" button, or the
//    browser reporting that the network is back).

export const MAX_RECONNECT_ATTEMPTS = 5;
export const RECONNECT_BASE_MS = 2000;
const OPEN = 1; // WebSocket.OPEN

/** What a connection uses from the browser; tests pass their own. */
const BROWSER = {
  WebSocket: (url) => new WebSocket(url),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
};

export class ServerConnection {
  /**
   * @param {string} name 'chat' or 'presence' (for logs)
   * @param {string} url  ws://host:port/
   * @param {string} token the JWT
   * @param {object} handlers onFrame(frame), onAuthenticated(frame, isReconnect), onStateChange(state),
   *                          onAuthFailed(frame | null)
   * @param {object} env  WebSocket(url), setTimeout, clearTimeout (the browser's by default)
   */
  constructor(name, url, token, handlers, env = BROWSER) {
    this.env = env;
    this.name = name;
    this.url = url;
    this.token = token;
    this.handlers = handlers;
    this.ws = null;
    this.reconnectAttempts = 0;
    this.maxReconnectAttempts = MAX_RECONNECT_ATTEMPTS;
    this.authenticated = false;
    this.everAuthenticated = false;
    this.closedByUs = false;
    this.timer = null;
    this.lastError = null;
    this.state = { status: 'idle' };
  }

  connect() {
    this.env.clearTimeout(this.timer);
    this.timer = null;
    this.closedByUs = false;
    this.lastError = null;
    this.setState({ status: 'connecting', attempt: this.reconnectAttempts });
    let ws;
    try {
      ws = this.env.WebSocket(this.url);
    } catch (error) {
      console.error(`Failed to connect to ${this.name} server:`, error);
      this.attemptReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      // MUST authenticate immediately
      ws.send(JSON.stringify({ type: 'AUTH', token: this.token }));
    };
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        console.error(`${this.name}: not JSON`, event.data);
        return;
      }
      if (!this.authenticated) {
        if (frame.type === 'SUCCESS' && frame.msg === 'authenticated') {
          const isReconnect = this.everAuthenticated;
          this.authenticated = true;
          this.everAuthenticated = true;
          this.reconnectAttempts = 0;
          this.setState({ status: 'online' });
          this.handlers.onAuthenticated?.(frame, isReconnect);
          return;
        }
        if (frame.type === 'ERROR') this.lastError = frame;
      }
      this.handlers.onFrame?.(frame);
    };
    ws.onerror = () => {
      // the close event follows and decides what to do
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.authenticated = false;
      if (this.closedByUs) {
        this.setState({ status: 'closed' });
        return;
      }
      if (event.code === 4401) {
        this.setState({ status: 'closed' });
        this.handlers.onAuthFailed?.(this.lastError);
        return;
      }
      this.attemptReconnect(event.code);
    };
  }

  attemptReconnect(code) {
    if (this.reconnectAttempts < this.maxReconnectAttempts) {
      this.reconnectAttempts++;
      const delay = RECONNECT_BASE_MS * this.reconnectAttempts;
      this.setState({ status: 'offline', attempt: this.reconnectAttempts, max: this.maxReconnectAttempts,
        retryAt: Date.now() + delay, code, error: this.lastError });
      this.timer = this.env.setTimeout(() => this.connect(), delay);
    } else {
      this.setState({ status: 'failed', code, error: this.lastError });
    }
  }

  /** Reconnect at once (user asked, or the network came back), with a fresh attempt count. */
  retryNow() {
    if (this.closedByUs || this.authenticated || this.state.status === 'connecting') return;
    this.reconnectAttempts = 0;
    this.connect();
  }

  get isOpen() {
    return this.authenticated && this.ws?.readyState === OPEN;
  }

  /** Sends a frame if authenticated; answers whether it went out. */
  send(frame) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Closes for good (logout): DISCONNECT, then close; no reconnect. */
  disconnect() {
    this.closedByUs = true;
    this.env.clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    if (ws) {
      if (ws.readyState === OPEN) {
        try { ws.send(JSON.stringify({ type: 'DISCONNECT' })); } catch { /* closing anyway */ }
      }
      ws.close(1000);
    }
    this.authenticated = false;
    this.setState({ status: 'closed' });
  }

  setState(state) {
    this.state = state;
    this.handlers.onStateChange?.(state);
  }
}

/** The chat server's socket: messages, history, groups. */
export class ChatWebSocket extends ServerConnection {
  constructor(url, token, handlers, env) {
    super('chat', url, token, handlers, env);
  }
}

/** The presence server's socket: PRESENCE_UPDATE frames for contacts. */
export class PresenceWebSocket extends ServerConnection {
  constructor(url, token, handlers, env) {
    super('presence', url, token, handlers, env);
  }
}
