// One socket to one server, kept up: AUTH first (the token asked for again at every AUTH), reconnect on the
// client document's schedule (2000 ms x attempt, 5 attempts) with jitter, then every 10 s, no reconnect after
// disconnect() or a refused token (4401). Frames go out through the pacer. ChatClient and PresenceClient
// build on it.

import { Emitter, type Listener } from './emitter.js';
import type { AuthenticatedFrame, ClientFrame, ErrorFrame, Feature, ServerFrame } from './frames.js';
import { Pacer } from './pacer.js';

/** What the library uses of a WebSocket: the browser's, Node 22's, undici's, or the `ws` package's. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: any }) => void) | null;
  onerror: ((event: any) => void) | null;
  onclose: ((event: { code: number; reason?: string }) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Time as the library sees it; tests pass a scripted one. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

export type TokenSource = string | (() => string | Promise<string>);

export interface ReconnectOptions {
  /** The n-th attempt after a drop waits n x delayMs (default 2000, the client document's). */
  delayMs?: number;
  /** How many attempts on that schedule (default 5). */
  attempts?: number;
  /** Each wait is lengthened by a random part of up to this fraction of it (default 0.2; 0 for none). */
  jitter?: number;
  /** After those attempts, try every this many ms, with the same jitter (default 10000; 0: stop trying). */
  retryEveryMs?: number;
}

export interface RateOptions {
  /** Frames per second the server accepts on one socket (default 20, the server's RATE_PER_SECOND). */
  perSecond?: number;
  /** Frames it accepts at once (default 40, the server's RATE_BURST). */
  burst?: number;
}

export interface ConnectionOptions {
  /** ws://host:port/ of the chat (4000) or presence (5000) server. */
  url: string;
  /** The JWT, or a function giving it (or a Promise of it), called at every AUTH so a refreshed one is used. */
  token: TokenSource;
  /** Extensions to ask for at AUTH ("read", "typing", "edit", "sync"); the answer is in `features`. */
  features?: Feature[];
  /** A WebSocket implementation; default: globalThis.WebSocket. */
  WebSocket?: WebSocketConstructor;
  /** The reconnect schedule; false: never reconnect by itself. */
  reconnect?: ReconnectOptions | false;
  /** Pacing of outgoing frames, to the server's frame rate limit. */
  rate?: RateOptions;
  /** A socket not authenticated within this many ms is dropped and retried (default 15000). */
  openTimeoutMs?: number;
  /** For tests: the clock and the source of randomness (jitter). */
  clock?: Clock;
  random?: () => number;
}

export type ConnectionState =
  | 'idle' // never connected
  | 'connecting' // a socket is opening or authenticating
  | 'open' // authenticated: frames flow
  | 'waiting' // dropped; the next attempt is scheduled
  | 'closed'; // disconnect(), a refused token, or no more attempts

export interface OpenEvent {
  username: string;
  features: Feature[];
  /** Whether this is a reconnect (not the first AUTH of this client). */
  reconnect: boolean;
}

export interface CloseEvent {
  code: number;
  reason: string;
  /** Whether the client will try again by itself. */
  willReconnect: boolean;
}

export interface ReconnectingEvent {
  /** 1, 2, ... counted since the last successful AUTH. */
  attempt: number;
  /** The attempts on the first schedule (5). */
  attempts: number;
  delayMs: number;
  /** The time of the attempt (clock.now() based). */
  at: number;
}

export interface StalledEvent {
  /** The attempts made so far, all failed. */
  attempts: number;
  /** From now on, one attempt every this many ms (plus jitter); 0: no more attempts (retryNow() still works). */
  retryEveryMs: number;
}

export interface AuthFailedEvent {
  /** 4401 (token refused or revoked). */
  code: number;
  error: ErrorFrame | null;
}

/** The lifecycle events; every frame type is an event too (on('GROUP_CHAT', ...)), and '*' is every frame. */
export interface LifecycleEvents {
  open: OpenEvent;
  close: CloseEvent;
  reconnecting: ReconnectingEvent;
  stalled: StalledEvent;
  authFailed: AuthFailedEvent;
  state: ConnectionState;
}

/** An Error carrying the ERROR frame's code (or the library's own: DISCONNECTED, TIMEOUT). */
export class ChatPresenceError extends Error {
  readonly code: string;
  readonly frame?: ErrorFrame;
  /** The HTTP status, for the library's REST calls (blocks). */
  readonly status?: number;

  constructor(code: string, message: string, frame?: ErrorFrame, status?: number) {
    super(message);
    this.name = 'ChatPresenceError';
    this.code = code;
    this.frame = frame;
    if (status !== undefined) this.status = status;
  }
}

const OPEN = 1;
const AUTH_REFUSED = 4401;
const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

export abstract class Connection {
  protected readonly options: ConnectionOptions;
  protected readonly clock: Clock;
  protected readonly events = new Emitter();
  protected readonly pacer: Pacer;
  private readonly random: () => number;
  private readonly schedule: Required<ReconnectOptions> | null;
  private ws: WebSocketLike | null = null;
  private authenticated = false;
  private everAuthenticated = false;
  private closedByUser = false;
  private attempt = 0;
  private timer: unknown = null;
  private openTimer: unknown = null;
  private lastError: ErrorFrame | null = null;
  private ready: { promise: Promise<OpenEvent>; resolve: (e: OpenEvent) => void; reject: (e: Error) => void } | null = null;
  private currentState: ConnectionState = 'idle';
  /** The user the server authenticated (after the first SUCCESS). */
  username: string | null = null;
  /** The extensions the server enabled at the last AUTH. */
  features: Feature[] = [];

  constructor(options: ConnectionOptions) {
    if (!options || typeof options.url !== 'string') throw new TypeError('options.url is required');
    if (options.token === undefined || options.token === null) throw new TypeError('options.token is required');
    this.options = options;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.random = options.random ?? Math.random;
    this.schedule = options.reconnect === false ? null : {
      delayMs: options.reconnect?.delayMs ?? 2000,
      attempts: options.reconnect?.attempts ?? 5,
      jitter: options.reconnect?.jitter ?? 0.2,
      retryEveryMs: options.reconnect?.retryEveryMs ?? 10000,
    };
    this.pacer = new Pacer(options.rate?.perSecond ?? 20, options.rate?.burst ?? 40, this.clock,
      (data) => this.write(data));
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** Whether the socket is authenticated and frames flow. */
  get isOpen(): boolean {
    return this.authenticated;
  }

  /**
   * Opens the socket and authenticates. Resolves at the AUTH SUCCESS (after retries if the server cannot be
   * reached: it keeps trying on the schedule); rejects when the token is refused (4401) or on disconnect().
   */
  connect(): Promise<OpenEvent> {
    if (!this.ready) {
      let resolve!: (e: OpenEvent) => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<OpenEvent>((res, rej) => { resolve = res; reject = rej; });
      promise.catch(() => { /* the caller may not wait on it */ });
      this.ready = { promise, resolve, reject };
    }
    const promise = this.ready.promise;
    if (this.authenticated) {
      return Promise.resolve({ username: this.username as string, features: this.features, reconnect: false });
    }
    if (this.currentState === 'idle' || this.currentState === 'closed') {
      this.closedByUser = false;
      this.attempt = 0;
      this.openSocket();
    }
    return promise;
  }

  /** Skips the wait: tries at once, with a fresh attempt count (a "Retry now" button, the network is back). */
  retryNow(): void {
    if (this.closedByUser || this.currentState === 'open' || this.currentState === 'connecting') return;
    if (this.currentState === 'idle') return;
    this.clearTimer();
    this.attempt = 0;
    this.openSocket();
  }

  /** Closes for good: DISCONNECT, close 1000, no reconnect; pending requests are rejected (DISCONNECTED). */
  disconnect(): void {
    this.closedByUser = true;
    this.clearTimer();
    const ws = this.ws;
    this.ws = null;
    this.pacer.clear();
    if (ws) {
      if (this.authenticated && ws.readyState === OPEN) {
        try { ws.send(JSON.stringify({ type: 'DISCONNECT' })); } catch { /* closing anyway */ }
      }
      detach(ws);
      closeQuietly(ws, 1000);
    }
    const wasOpen = this.authenticated;
    this.authenticated = false;
    if (wasOpen) this.dropped();
    this.stopped(new ChatPresenceError('DISCONNECTED', 'disconnect() was called'));
    this.setState('closed');
    if (ws) this.events.emit('close', { code: 1000, reason: 'disconnect()', willReconnect: false } satisfies CloseEvent);
  }

  /** Listens to a lifecycle event or to every frame of a type ('*': every frame). Answers the unsubscribe. */
  on<K extends keyof LifecycleEvents>(type: K, listener: (event: LifecycleEvents[K]) => void): () => void;
  on(type: string, listener: (frame: any) => void): () => void;
  on(type: string, listener: Listener): () => void {
    return this.events.on(type, listener);
  }

  off(type: string, listener: Listener): void {
    this.events.off(type, listener);
  }

  /** Sends a frame as is, paced, if authenticated (no answer awaited); answers whether it was queued. */
  send(frame: ClientFrame): boolean {
    if (!this.authenticated) return false;
    this.pacer.send(JSON.stringify(frame));
    return true;
  }

  // ---- for the subclasses ------------------------------------------------------------------------------

  /** A frame after AUTH. */
  protected abstract received(frame: ServerFrame): void;
  /** AUTH succeeded. */
  protected abstract authenticatedNow(event: OpenEvent): void;
  /** The authenticated socket is gone (a reconnect may follow). */
  protected abstract dropped(): void;
  /** No more reconnects (disconnect(), refused token): settle what waits. */
  protected abstract stopped(error: ChatPresenceError): void;

  // ---- the socket ----------------------------------------------------------------------------------------

  private openSocket(): void {
    this.clearTimer();
    this.lastError = null;
    this.setState('connecting');
    const Impl = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Impl) {
      throw new Error('No WebSocket: pass options.WebSocket, or on Node 20 run with --experimental-websocket');
    }
    let ws: WebSocketLike;
    try {
      ws = new Impl(this.options.url);
    } catch (error) {
      // a malformed URL and the like: retrying will not help, but keeping the schedule is harmless
      this.ws = null;
      this.scheduleReconnect(1006, String((error as Error)?.message ?? error));
      return;
    }
    this.ws = ws;
    this.openTimer = this.clock.setTimeout(() => {
      this.openTimer = null;
      if (this.ws === ws && !this.authenticated) {
        this.lost(ws, 1006, 'no AUTH answer in time');
        closeQuietly(ws, 4000, 'AUTH not answered');
      }
    }, this.options.openTimeoutMs ?? 15000);
    ws.onopen = () => { void this.authenticate(ws); };
    ws.onmessage = (event) => this.onMessage(ws, event.data);
    // Node 20's WebSocket (undici) fires error but never close when a connection attempt fails
    // (nodejs/undici#3546): an error counts as the end of the socket; a close after it is ignored.
    ws.onerror = () => {
      this.lost(ws, 1006, 'connection error');
      closeQuietly(ws);
    };
    ws.onclose = (event) => this.lost(ws, event?.code ?? 1006, event?.reason ?? '');
  }

  private async authenticate(ws: WebSocketLike): Promise<void> {
    let token: string;
    try {
      const source = this.options.token;
      token = typeof source === 'function' ? await source() : source;
    } catch (error) {
      if (this.ws !== ws) return;
      this.lost(ws, 4000, `the token function failed: ${(error as Error)?.message ?? error}`);
      closeQuietly(ws, 4000, 'no token');
      return;
    }
    if (this.ws !== ws) return;
    const auth: ClientFrame = { type: 'AUTH', token };
    if (this.options.features?.length) auth.features = this.options.features;
    this.pacer.reset();
    this.pacer.send(JSON.stringify(auth));
  }

  private write(data: string): void {
    const ws = this.ws;
    if (ws && ws.readyState === OPEN) ws.send(data);
  }

  private onMessage(ws: WebSocketLike, data: unknown): void {
    if (this.ws !== ws) return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(data));
    } catch {
      return; // the server sends JSON only
    }
    if (!frame || typeof frame !== 'object') return;
    if (!this.authenticated) {
      if (frame.type === 'SUCCESS' && frame.msg === 'authenticated') {
        this.opened(frame as AuthenticatedFrame);
        return;
      }
      if (frame.type === 'ERROR') this.lastError = frame;
    }
    this.events.emit('*', frame);
    this.received(frame);
  }

  private opened(frame: AuthenticatedFrame): void {
    if (this.openTimer !== null) {
      this.clock.clearTimeout(this.openTimer);
      this.openTimer = null;
    }
    const reconnect = this.everAuthenticated;
    this.authenticated = true;
    this.everAuthenticated = true;
    this.attempt = 0;
    this.username = frame.username;
    this.features = Array.isArray(frame.features) ? frame.features : [];
    const event: OpenEvent = { username: frame.username, features: this.features, reconnect };
    this.setState('open');
    this.events.emit('*', frame);
    this.events.emit('open', event);
    this.ready?.resolve(event);
    this.authenticatedNow(event);
  }

  /** The socket ended (close, error, time-out): once per socket. */
  private lost(ws: WebSocketLike, code: number, reason: string): void {
    if (this.ws !== ws) return;
    this.ws = null;
    detach(ws);
    if (this.openTimer !== null) {
      this.clock.clearTimeout(this.openTimer);
      this.openTimer = null;
    }
    this.pacer.clear();
    const wasOpen = this.authenticated;
    this.authenticated = false;
    if (wasOpen) this.dropped();
    if (code === AUTH_REFUSED) {
      const error = this.lastError;
      this.closedByUser = true;
      this.setState('closed');
      this.events.emit('close', { code, reason, willReconnect: false } satisfies CloseEvent);
      this.events.emit('authFailed', { code, error } satisfies AuthFailedEvent);
      const failure = new ChatPresenceError('AUTH_FAILED', error?.msg ?? 'the token was refused', error ?? undefined);
      this.ready?.reject(failure);
      this.ready = null;
      this.stopped(failure);
      return;
    }
    const willReconnect = this.schedule !== null
      && (this.attempt < this.schedule.attempts || this.schedule.retryEveryMs > 0);
    this.events.emit('close', { code, reason, willReconnect } satisfies CloseEvent);
    this.scheduleReconnect(code, reason);
  }

  private scheduleReconnect(code: number, reason: string): void {
    const s = this.schedule;
    if (s === null) {
      this.giveUp(code, reason);
      return;
    }
    this.attempt += 1;
    let delay: number;
    if (this.attempt <= s.attempts) {
      delay = s.delayMs * this.attempt;
    } else {
      if (this.attempt === s.attempts + 1) {
        this.events.emit('stalled', { attempts: s.attempts, retryEveryMs: s.retryEveryMs } satisfies StalledEvent);
      }
      if (s.retryEveryMs <= 0) {
        this.giveUp(code, reason);
        return;
      }
      delay = s.retryEveryMs;
    }
    delay = Math.round(delay * (1 + s.jitter * this.random()));
    // 'reconnecting' first, so that a 'state' listener seeing 'waiting' knows the attempt already
    this.events.emit('reconnecting', {
      attempt: this.attempt, attempts: s.attempts, delayMs: delay, at: this.clock.now() + delay,
    } satisfies ReconnectingEvent);
    this.setState('waiting');
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.openSocket();
    }, delay);
  }

  /** No more attempts by itself: connect() rejects; what waits in the outbox stays for retryNow()/connect(). */
  private giveUp(code: number, reason: string): void {
    this.setState('closed');
    this.ready?.reject(new ChatPresenceError('UNREACHABLE', `could not connect (${code}${reason ? ` ${reason}` : ''})`));
    this.ready = null;
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private setState(state: ConnectionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.events.emit('state', state);
  }
}

/**
 * Closes a socket whose handlers are already detached: undici fires error synchronously from close() on a
 * socket still connecting, which must not reach the handlers again.
 */
function closeQuietly(ws: WebSocketLike, code?: number, reason?: string): void {
  try {
    if (code === undefined) ws.close();
    else ws.close(code, reason);
  } catch { /* already closed */ }
}

function detach(ws: WebSocketLike): void {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onerror = null;
  ws.onclose = null;
}
