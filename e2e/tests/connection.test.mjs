// The web client's connection class (webroot/js/connection.js) in the browser, with a scripted WebSocket and
// clock: the client document's retry schedule (2000 ms * attempt, 5 attempts), what resets it, and what ends it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CHAT_PORT, launchUser } from './support.mjs';

let user;

/** Runs a scenario in the page against a ChatWebSocket with fake sockets and timers; answers its record. */
function scenario(page, steps) {
  return page.evaluate(async (stepsSource) => {
    const { ChatWebSocket } = await import('/js/connection.js');
    const sockets = [];
    const timers = [];
    const events = [];
    const env = {
      WebSocket: (url) => {
        const ws = { url, readyState: 0, sent: [], closedWith: null,
          send(data) { this.sent.push(JSON.parse(data)); },
          close(code) { this.closedWith = code; this.readyState = 3; } };
        sockets.push(ws);
        return ws;
      },
      setTimeout: (fn, ms) => { timers.push({ fn, ms, fired: false, cleared: false }); return timers.length; },
      clearTimeout: (id) => { if (id) timers[id - 1].cleared = true; },
    };
    const conn = new ChatWebSocket('ws://test/', 'the-token', {
      onFrame: (f) => events.push(`frame ${f.type}`),
      onAuthenticated: (_f, isReconnect) => events.push(`authenticated reconnect=${isReconnect}`),
      onStateChange: (s) => events.push(`state ${s.status}${s.attempt ? ` ${s.attempt}` : ''}`),
      onAuthFailed: () => events.push('auth failed'),
    }, env);
    const last = () => sockets.at(-1);
    const t = {
      conn,
      open() { last().readyState = 1; last().onopen(); },
      authOk() { last().onmessage({ data: JSON.stringify({ type: 'SUCCESS', msg: 'authenticated', username: 'x' }) }); },
      close(code) { last().readyState = 3; last().onclose({ code }); },
      fire() { const timer = timers.filter((x) => !x.fired && !x.cleared).at(-1); timer.fired = true; timer.fn(); },
      pendingTimers: () => timers.filter((x) => !x.fired && !x.cleared).map((x) => x.ms),
      delays: () => timers.map((x) => x.ms),
    };
    // eslint-disable-next-line no-new-func
    const out = await new Function('t', `return (async () => { ${stepsSource} })();`)(t);
    return { out, events, sockets: sockets.map((s) => ({ sent: s.sent, closedWith: s.closedWith })), delays: t.delays(),
      pending: t.pendingTimers() };
  }, steps);
}

describe('connection classes (the client document\'s retry schedule)', () => {
  before(async () => {
    user = await launchUser('connection');
    // any page of the chat server's origin can import the client's modules
    await user.page.goto(`http://127.0.0.1:${CHAT_PORT}/health`);
  });

  after(async () => {
    await user?.close();
  });

  test('AUTH is the first frame on every socket', async () => {
    const r = await scenario(user.page, 't.conn.connect(); t.open();');
    assert.deepEqual(r.sockets[0].sent, [{ type: 'AUTH', token: 'the-token' }]);
  });

  test('a server that cannot be reached: retries after 2, 4, 6, 8, 10 s, then stops until retryNow()', async () => {
    const r = await scenario(user.page, `
      t.conn.connect();
      t.close(1006);
      for (let i = 0; i < 5; i++) { t.fire(); t.close(1006); }
      const failed = t.conn.state.status;
      const pendingAfterFailure = t.pendingTimers().length;
      t.conn.retryNow();
      t.close(1006);
      return { failed, pendingAfterFailure };`);
    assert.deepEqual(r.delays, [2000, 4000, 6000, 8000, 10000, 2000]);
    assert.equal(r.out.failed, 'failed');
    assert.equal(r.out.pendingAfterFailure, 0);
    assert.equal(r.sockets.length, 7); // the first try, five retries, one more after retryNow
    assert.deepEqual(r.events.filter((e) => e.startsWith('state offline')),
      ['state offline 1', 'state offline 2', 'state offline 3', 'state offline 4', 'state offline 5', 'state offline 1']);
  });

  test('the attempt count restarts once the server accepts the token, not when the socket merely opens', async () => {
    const r = await scenario(user.page, `
      t.conn.connect(); t.open(); t.authOk();
      t.close(1001);            // a server going away: 1st attempt, 2 s
      t.fire(); t.open(); t.close(1006);   // opens but closes before AUTH: 2nd attempt, 4 s
      t.fire(); t.open(); t.authOk();      // accepted: count reset
      t.close(1006);            // 1st attempt again, 2 s
      return t.conn.reconnectAttempts;`);
    assert.deepEqual(r.delays, [2000, 4000, 2000]);
    assert.deepEqual(r.events.filter((e) => e.startsWith('authenticated')),
      ['authenticated reconnect=false', 'authenticated reconnect=true']);
    assert.equal(r.out, 1);
  });

  test('a refused or revoked token (4401) ends the session instead of retrying', async () => {
    const r = await scenario(user.page, `
      t.conn.connect(); t.open();
      t.conn.ws.onmessage({ data: JSON.stringify({ type: 'ERROR', code: 'AUTH_FAILED', msg: 'revoked' }) });
      t.close(4401);`);
    assert.deepEqual(r.delays, []);
    assert.ok(r.events.includes('auth failed'));
    assert.equal(r.events.at(-1), 'auth failed');
  });

  test('disconnect() says DISCONNECT, closes with 1000 and does not reconnect', async () => {
    const r = await scenario(user.page, `
      t.conn.connect(); t.open(); t.authOk();
      const sent = t.conn.send({ type: 'GET_GROUP_CHAT_HISTORY', groupId: 'g' });
      t.conn.disconnect();
      t.close(1000);
      return { sent, open: t.conn.isOpen };`);
    assert.equal(r.out.sent, true);
    assert.equal(r.out.open, false);
    assert.deepEqual(r.sockets[0].sent.map((f) => f.type), ['AUTH', 'GET_GROUP_CHAT_HISTORY', 'DISCONNECT']);
    assert.equal(r.sockets[0].closedWith, 1000);
    assert.deepEqual(r.delays, []);
    assert.equal(r.events.at(-1), 'state closed');
  });

  test('frames are not sent before the server has accepted the token', async () => {
    const r = await scenario(user.page, `
      t.conn.connect(); t.open();
      return t.conn.send({ type: 'ONE_TO_ONE_CHAT', to: 'b', content: 'x' });`);
    assert.equal(r.out, false);
    assert.deepEqual(r.sockets[0].sent.map((f) => f.type), ['AUTH']);
  });
});
