// A scripted socket and clock for the unit tests: the test plays the server (opens, answers, closes) and moves
// time forward by hand; nothing runs on real timers.
export class FakeClock {
  constructor() {
    this.time = 0;
    this.timers = new Map();
    this.nextId = 1;
  }

  now() { return this.time; }

  setTimeout(fn, ms) {
    const id = this.nextId++;
    this.timers.set(id, { fn, at: this.time + ms, ms });
    return id;
  }

  clearTimeout(id) { this.timers.delete(id); }

  /** The delays of the pending timers, soonest first. */
  pending() { return [...this.timers.values()].sort((a, b) => a.at - b.at).map((t) => t.at - this.time); }

  /** Moves time forward by ms, firing every timer that falls due, in order. */
  advance(ms) {
    const end = this.time + ms;
    for (;;) {
      let next = null;
      for (const [id, t] of this.timers) if (t.at <= end && (!next || t.at < next[1].at)) next = [id, t];
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
  }
}

/** A WebSocket class whose instances the test drives; FakeSocket.all lists them in creation order. */
export function fakeSocketClass() {
  const all = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.closedWith = null;
      this.onopen = this.onmessage = this.onerror = this.onclose = null;
      all.push(this);
    }

    send(data) {
      if (this.readyState !== 1) throw new Error('not open');
      this.sent.push(JSON.parse(data));
    }

    close(code) {
      // like undici: closing a socket that is still connecting fires error synchronously, before the state moves
      if (this.readyState === 0) this.onerror?.({});
      this.closedWith = code ?? 1005;
      this.readyState = 3;
    }

    // ---- the server's side
    open() { this.readyState = 1; this.onopen?.({}); }
    frame(f) { this.onmessage?.({ data: JSON.stringify(f) }); }
    authOk(username = 'alice', features) {
      this.frame({ type: 'SUCCESS', msg: 'authenticated', username, ...(features ? { features } : {}) });
    }
    serverClose(code = 1006, reason = '') { this.readyState = 3; this.onclose?.({ code, reason }); }
    /** Node 20's undici on a failed connect: error, and no close ever. */
    /** Node 20's undici on a failed connect: error while still CONNECTING (a close() then fires error again,
     *  synchronously), and no close ever. */
    failLikeUndici() { this.onerror?.({}); this.readyState = 3; }
    /** Frames sent after AUTH. */
    get frames() { return this.sent.filter((f) => f.type !== 'AUTH'); }
  }
  FakeSocket.all = all;
  FakeSocket.last = () => all[all.length - 1];
  return FakeSocket;
}

/** Lets pending promise callbacks run (the token function is awaited, answers settle promises). */
export async function flush(times = 5) {
  for (let i = 0; i < times; i++) await Promise.resolve();
}

export function setup(ClientClass, options = {}) {
  const clock = new FakeClock();
  const Socket = fakeSocketClass();
  const client = new ClientClass({ url: 'ws://test/', token: 'the-token', WebSocket: Socket, clock,
    random: () => 0, ...options });
  const events = [];
  for (const type of ['open', 'close', 'reconnecting', 'stalled', 'authFailed', 'caughtUp']) {
    client.on(type, (e) => events.push([type, e]));
  }
  return { clock, Socket, client, events };
}

/** Opens the current socket and accepts its AUTH. */
export async function connectNow(t, username = 'alice') {
  const ws = t.Socket.last();
  ws.open();
  await flush();
  ws.authOk(username);
  await flush();
  return ws;
}
