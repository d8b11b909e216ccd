// The library the web client uses (@chatpresence/client, served as /js/chatpresence/) in the browser, with a
// scripted WebSocket and clock: the client document's retry schedule (2000 ms * attempt, 5 attempts, then every
// 10 s), what resets it, and what ends it; and the web client's session layer on top of it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CHAT_PORT, launchUser } from './support.mjs';

let user;

/** Runs a scenario in the page against the web client's ChatSession with fake sockets and timers. */
function scenario(page, steps) {
  return page.evaluate(async (stepsSource) => {
    const { ChatSession } = await import('/js/session.js');
    const sockets = [];
    const timers = [];
    const events = [];
    class FakeSocket {
      constructor(url) {
        Object.assign(this, { url, readyState: 0, sent: [], closedWith: null });
        sockets.push(this);
      }
      send(data) { this.sent.push(JSON.parse(data)); }
      close(code) { this.closedWith = code ?? 1005; this.readyState = 3; }
    }
    const clock = {
      now: () => 0,
      setTimeout: (fn, ms) => { timers.push({ fn, ms, fired: false, cleared: false }); return timers.length; },
      clearTimeout: (id) => { if (id) timers[id - 1].cleared = true; },
    };
    const session = new ChatSession('ws://test/', 'the-token', {
      onMessage: (f) => events.push(`message ${f.messageId}`),
      onAuthenticated: (isReconnect) => events.push(`authenticated reconnect=${isReconnect}`),
      onStateChange: (s) => events.push(`state ${s.status}${s.attempt ? ` ${s.attempt}` : ''}`),
      onAuthFailed: () => events.push('auth failed'),
    }, { WebSocket: FakeSocket, clock, random: () => 0 });
    const last = () => sockets.at(-1);
    const tick = () => new Promise((r) => setTimeout(r, 0));
    // the reconnect timer, not the pacer's or the open time-out's
    const reconnectTimers = () => timers.filter((x) => x.ms >= 2000 && x.ms !== 15000);
    const t = {
      session,
      async open() { last().readyState = 1; last().onopen({}); await tick(); },
      authOk() { last().onmessage({ data: JSON.stringify({ type: 'SUCCESS', msg: 'authenticated', username: 'x' }) }); },
      frame(f) { last().onmessage({ data: JSON.stringify(f) }); },
      close(code) { last().readyState = 3; last().onclose?.({ code }); },
      fire() { const timer = reconnectTimers().filter((x) => !x.fired && !x.cleared).at(-1); timer.fired = true; timer.fn(); },
      delays: () => reconnectTimers().map((x) => x.ms),
    };
    // eslint-disable-next-line no-new-func
    const out = await new Function('t', `return (async () => {\n${stepsSource}\n})();`)(t);
    return { out, events, sockets: sockets.map((s) => ({ sent: s.sent, closedWith: s.closedWith })), delays: t.delays() };
  }, steps);
}

describe('the library in the browser (the client document\'s retry schedule)', () => {
  before(async () => {
    user = await launchUser('connection');
    // any page of the chat server's origin can import the client's modules
    await user.page.goto(`http://127.0.0.1:${CHAT_PORT}/health`);
  });

  after(async () => {
    await user?.close();
  });

  test('AUTH is the first frame on every socket', async () => {
    const r = await scenario(user.page, 't.session.connect(); await t.open();');
    assert.deepEqual(r.sockets[0].sent, [{ type: 'AUTH', token: 'the-token', features: ['read', 'typing', 'edit', 'sync'] }]);
  });

  test('a server that cannot be reached: retries after 2, 4, 6, 8, 10 s, then every 10 s ("failed" in the banner)', async () => {
    const r = await scenario(user.page, `
      t.session.connect();
      t.close(1006);
      for (let i = 0; i < 6; i++) { t.fire(); t.close(1006); }
      const status = t.session.state.status;
      t.session.retryNow();
      t.close(1006);
      return { status };`);
    assert.deepEqual(r.delays, [2000, 4000, 6000, 8000, 10000, 10000, 10000, 2000]);
    assert.equal(r.out.status, 'failed');
    assert.equal(r.sockets.length, 8); // the first try, six retries, one more after retryNow
    assert.deepEqual(r.events.filter((e) => e.startsWith('state offline')),
      ['state offline 1', 'state offline 2', 'state offline 3', 'state offline 4', 'state offline 5', 'state offline 1']);
  });

  test('the attempt count restarts once the server accepts the token, not when the socket merely opens', async () => {
    const r = await scenario(user.page, `
      t.session.connect(); await t.open(); t.authOk();
      t.close(1001);            // a server going away: 1st attempt, 2 s
      t.fire(); await t.open(); t.close(1006);   // opens but closes before AUTH: 2nd attempt, 4 s
      t.fire(); await t.open(); t.authOk();      // accepted: count reset
      t.close(1006);            // 1st attempt again, 2 s`);
    assert.deepEqual(r.delays, [2000, 4000, 2000]);
    assert.deepEqual(r.events.filter((e) => e.startsWith('authenticated')),
      ['authenticated reconnect=false', 'authenticated reconnect=true']);
  });

  test('a refused or revoked token (4401) ends the session instead of retrying', async () => {
    const r = await scenario(user.page, `
      t.session.connect(); await t.open();
      t.frame({ type: 'ERROR', code: 'AUTH_FAILED', msg: 'revoked' });
      t.close(4401);`);
    assert.deepEqual(r.delays, []);
    assert.equal(r.events.at(-1), 'auth failed');
  });

  test('disconnect() says DISCONNECT, closes with 1000 and does not reconnect', async () => {
    const r = await scenario(user.page, `
      t.session.connect(); await t.open(); t.authOk();
      t.session.request({ type: 'GET_GROUP_CHAT_HISTORY', groupId: 'g' }).catch(() => {});
      t.session.disconnect();
      t.close(1000);
      return { open: t.session.isOpen };`);
    assert.equal(r.out.open, false);
    assert.deepEqual(r.sockets[0].sent.map((f) => f.type), ['AUTH', 'GET_GROUP_CHAT_HISTORY', 'DISCONNECT']);
    assert.equal(r.sockets[0].closedWith, 1000);
    assert.deepEqual(r.delays, []);
    assert.equal(r.events.at(-1), 'state closed');
  });

  test('a message written before the server accepted the token waits, then goes out once', async () => {
    const r = await scenario(user.page, `
      t.session.connect(); await t.open();
      const frame = { type: 'ONE_TO_ONE_CHAT', to: 'b', content: 'x', clientMsgId: 'c-1' };
      t.session.sendMessage({ clientMsgId: 'c-1', convKey: 'u:b', frame, content: 'x' });
      const before = t.session.pendingFor('u:b').length;
      t.authOk();
      return { before };`);
    assert.equal(r.out.before, 1);
    assert.deepEqual(r.sockets[0].sent.map((f) => f.type), ['AUTH', 'ONE_TO_ONE_CHAT']);
  });
});
