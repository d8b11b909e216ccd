// One socket to one server, kept up: AUTH first (the token asked for again at every AUTH), reconnect on the
// client document's schedule (2000 ms x attempt, 5 attempts) with jitter, then every 10 s, no reconnect after
// disconnect() or a refused token (4401). Frames go out through the pacer. ChatClient and PresenceClient
// build on it.
import { Emitter } from './emitter.js';
import { Pacer } from './pacer.js';
/** An Error carrying the ERROR frame's code (or the library's own: DISCONNECTED, TIMEOUT). */
export class ChatPresenceError extends Error {
    constructor(code, message, frame, status) {
        super(message);
        this.name = 'ChatPresenceError';
        this.code = code;
        this.frame = frame;
        if (status !== undefined)
            this.status = status;
    }
}
const OPEN = 1;
const AUTH_REFUSED = 4401;
const SYSTEM_CLOCK = {
    now: () => Date.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (id) => clearTimeout(id),
};
export class Connection {
    constructor(options) {
        this.events = new Emitter();
        this.ws = null;
        this.authenticated = false;
        this.everAuthenticated = false;
        this.closedByUser = false;
        this.attempt = 0;
        this.timer = null;
        this.openTimer = null;
        this.lastError = null;
        this.ready = null;
        this.currentState = 'idle';
        /** The user the server authenticated (after the first SUCCESS). */
        this.username = null;
        /** The extensions the server enabled at the last AUTH. */
        this.features = [];
        if (!options || typeof options.url !== 'string')
            throw new TypeError('options.url is required');
        if (options.token === undefined || options.token === null)
            throw new TypeError('options.token is required');
        this.options = options;
        this.clock = options.clock ?? SYSTEM_CLOCK;
        this.random = options.random ?? Math.random;
        this.schedule = options.reconnect === false ? null : {
            delayMs: options.reconnect?.delayMs ?? 2000,
            attempts: options.reconnect?.attempts ?? 5,
            jitter: options.reconnect?.jitter ?? 0.2,
            retryEveryMs: options.reconnect?.retryEveryMs ?? 10000,
        };
        this.pacer = new Pacer(options.rate?.perSecond ?? 20, options.rate?.burst ?? 40, this.clock, (data) => this.write(data));
    }
    get state() {
        return this.currentState;
    }
    /** Whether the socket is authenticated and frames flow. */
    get isOpen() {
        return this.authenticated;
    }
    /**
     * Opens the socket and authenticates. Resolves at the AUTH SUCCESS (after retries if the server cannot be
     * reached: it keeps trying on the schedule); rejects when the token is refused (4401) or on disconnect().
     */
    connect() {
        if (!this.ready) {
            let resolve;
            let reject;
            const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
            promise.catch(() => { });
            this.ready = { promise, resolve, reject };
        }
        const promise = this.ready.promise;
        if (this.authenticated) {
            return Promise.resolve({ username: this.username, features: this.features, reconnect: false });
        }
        if (this.currentState === 'idle' || this.currentState === 'closed') {
            this.closedByUser = false;
            this.attempt = 0;
            this.openSocket();
        }
        return promise;
    }
    /** Skips the wait: tries at once, with a fresh attempt count (a "Retry now" button, the network is back). */
    retryNow() {
        if (this.closedByUser || this.currentState === 'open' || this.currentState === 'connecting')
            return;
        if (this.currentState === 'idle')
            return;
        this.clearTimer();
        this.attempt = 0;
        this.openSocket();
    }
    /** Closes for good: DISCONNECT, close 1000, no reconnect; pending requests are rejected (DISCONNECTED). */
    disconnect() {
        this.closedByUser = true;
        this.clearTimer();
        const ws = this.ws;
        this.ws = null;
        this.pacer.clear();
        if (ws) {
            if (this.authenticated && ws.readyState === OPEN) {
                try {
                    ws.send(JSON.stringify({ type: 'DISCONNECT' }));
                }
                catch { /* closing anyway */ }
            }
            detach(ws);
            closeQuietly(ws, 1000);
        }
        const wasOpen = this.authenticated;
        this.authenticated = false;
        if (wasOpen)
            this.dropped();
        this.stopped(new ChatPresenceError('DISCONNECTED', 'disconnect() was called'));
        this.setState('closed');
        if (ws)
            this.events.emit('close', { code: 1000, reason: 'disconnect()', willReconnect: false });
    }
    on(type, listener) {
        return this.events.on(type, listener);
    }
    off(type, listener) {
        this.events.off(type, listener);
    }
    /** Sends a frame as is, paced, if authenticated (no answer awaited); answers whether it was queued. */
    send(frame) {
        if (!this.authenticated)
            return false;
        this.pacer.send(JSON.stringify(frame));
        return true;
    }
    // ---- the socket ----------------------------------------------------------------------------------------
    openSocket() {
        this.clearTimer();
        this.lastError = null;
        this.setState('connecting');
        const Impl = this.options.WebSocket ?? globalThis.WebSocket;
        if (!Impl) {
            throw new Error('No WebSocket: pass options.WebSocket, or on Node 20 run with --experimental-websocket');
        }
        let ws;
        try {
            ws = new Impl(this.options.url);
        }
        catch (error) {
            // a malformed URL and the like: retrying will not help, but keeping the schedule is harmless
            this.ws = null;
            this.scheduleReconnect(1006, String(error?.message ?? error));
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
    async authenticate(ws) {
        let token;
        try {
            const source = this.options.token;
            token = typeof source === 'function' ? await source() : source;
        }
        catch (error) {
            if (this.ws !== ws)
                return;
            this.lost(ws, 4000, `the token function failed: ${error?.message ?? error}`);
            closeQuietly(ws, 4000, 'no token');
            return;
        }
        if (this.ws !== ws)
            return;
        const auth = { type: 'AUTH', token };
        if (this.options.features?.length)
            auth.features = this.options.features;
        this.pacer.reset();
        this.pacer.send(JSON.stringify(auth));
    }
    write(data) {
        const ws = this.ws;
        if (ws && ws.readyState === OPEN)
            ws.send(data);
    }
    onMessage(ws, data) {
        if (this.ws !== ws)
            return;
        let frame;
        try {
            frame = JSON.parse(String(data));
        }
        catch {
            return; // the server sends JSON only
        }
        if (!frame || typeof frame !== 'object')
            return;
        if (!this.authenticated) {
            if (frame.type === 'SUCCESS' && frame.msg === 'authenticated') {
                this.opened(frame);
                return;
            }
            if (frame.type === 'ERROR')
                this.lastError = frame;
        }
        this.events.emit('*', frame);
        this.received(frame);
    }
    opened(frame) {
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
        const event = { username: frame.username, features: this.features, reconnect };
        this.setState('open');
        this.events.emit('*', frame);
        this.events.emit('open', event);
        this.ready?.resolve(event);
        this.authenticatedNow(event);
    }
    /** The socket ended (close, error, time-out): once per socket. */
    lost(ws, code, reason) {
        if (this.ws !== ws)
            return;
        this.ws = null;
        detach(ws);
        if (this.openTimer !== null) {
            this.clock.clearTimeout(this.openTimer);
            this.openTimer = null;
        }
        this.pacer.clear();
        const wasOpen = this.authenticated;
        this.authenticated = false;
        if (wasOpen)
            this.dropped();
        if (code === AUTH_REFUSED) {
            const error = this.lastError;
            this.closedByUser = true;
            this.setState('closed');
            this.events.emit('close', { code, reason, willReconnect: false });
            this.events.emit('authFailed', { code, error });
            const failure = new ChatPresenceError('AUTH_FAILED', error?.msg ?? 'the token was refused', error ?? undefined);
            this.ready?.reject(failure);
            this.ready = null;
            this.stopped(failure);
            return;
        }
        const willReconnect = this.schedule !== null
            && (this.attempt < this.schedule.attempts || this.schedule.retryEveryMs > 0);
        this.events.emit('close', { code, reason, willReconnect });
        this.scheduleReconnect(code, reason);
    }
    scheduleReconnect(code, reason) {
        const s = this.schedule;
        if (s === null) {
            this.giveUp(code, reason);
            return;
        }
        this.attempt += 1;
        let delay;
        if (this.attempt <= s.attempts) {
            delay = s.delayMs * this.attempt;
        }
        else {
            if (this.attempt === s.attempts + 1) {
                this.events.emit('stalled', { attempts: s.attempts, retryEveryMs: s.retryEveryMs });
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
        });
        this.setState('waiting');
        this.timer = this.clock.setTimeout(() => {
            this.timer = null;
            this.openSocket();
        }, delay);
    }
    /** No more attempts by itself: connect() rejects; what waits in the outbox stays for retryNow()/connect(). */
    giveUp(code, reason) {
        this.setState('closed');
        this.ready?.reject(new ChatPresenceError('UNREACHABLE', `could not connect (${code}${reason ? ` ${reason}` : ''})`));
        this.ready = null;
    }
    clearTimer() {
        if (this.timer !== null) {
            this.clock.clearTimeout(this.timer);
            this.timer = null;
        }
    }
    setState(state) {
        if (this.currentState === state)
            return;
        this.currentState = state;
        this.events.emit('state', state);
    }
}
/**
 * Closes a socket whose handlers are already detached: undici fires error synchronously from close() on a
 * socket still connecting, which must not reach the handlers again.
 */
function closeQuietly(ws, code, reason) {
    try {
        if (code === undefined)
            ws.close();
        else
            ws.close(code, reason);
    }
    catch { /* already closed */ }
}
function detach(ws) {
    ws.onopen = null;
    ws.onmessage = null;
    ws.onerror = null;
    ws.onclose = null;
}
