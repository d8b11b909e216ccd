// Reconnect schedule, token refresh, the end of retrying, and Node 20's undici quirk, with a scripted socket
// and clock (test/unit/harness.mjs).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChatClient, PresenceClient } from '../../dist/index.js';
import { connectNow, flush, setup } from './harness.mjs';

const delays = (events) => events.filter(([t]) => t === 'reconnecting').map(([, e]) => e.delayMs);

describe('connection', () => {
  test('AUTH is the first frame, with the features asked for; connect() resolves at its SUCCESS', async () => {
    const t = setup(ChatClient, { features: ['read', 'typing'] });
    const connected = t.client.connect();
    const ws = t.Socket.last();
    ws.open();
    await flush();
    assert.deepEqual(ws.sent, [{ type: 'AUTH', token: 'the-token', features: ['read', 'typing'] }]);
    ws.authOk('alice', ['read']);
    const open = await connected;
    assert.deepEqual(open, { username: 'alice', features: ['read'], reconnect: false });
    assert.equal(t.client.state, 'open');
    assert.deepEqual(t.client.features, ['read']);
  });

  test('the client document\'s schedule after a drop: 2, 4, 6, 8, 10 s; then every 10 s and a stalled event', async () => {
    const t = setup(ChatClient);
    t.client.connect();
    await connectNow(t);
    t.Socket.last().serverClose(1001, 'going away');
    for (let i = 0; i < 7; i++) {
      const pending = t.clock.pending();
      assert.equal(pending.length, 1, `one timer after failure ${i}`);
      t.clock.advance(pending[0]);
      t.Socket.last().serverClose(1006);
    }
    assert.deepEqual(delays(t.events), [2000, 4000, 6000, 8000, 10000, 10000, 10000, 10000]);
    assert.equal(t.events.filter(([type]) => type === 'stalled').length, 1, 'told once');
    assert.deepEqual(t.events.find(([type]) => type === 'stalled')[1], { attempts: 5, retryEveryMs: 10000 });
    assert.equal(t.Socket.all.length, 8);
    // and it connects in the end: the count starts over
    t.clock.advance(t.clock.pending()[0]);
    await connectNow(t);
    t.Socket.last().serverClose(1001);
    assert.equal(delays(t.events).at(-1), 2000);
  });

  test('jitter lengthens each wait by up to its fraction, never shortens it', async () => {
    const t = setup(ChatClient, { random: () => 0.5, reconnect: { jitter: 0.2 } });
    t.client.connect();
    await connectNow(t);
    t.Socket.last().serverClose(1006);
    t.clock.advance(t.clock.pending()[0]);
    t.Socket.last().serverClose(1006);
    assert.deepEqual(delays(t.events), [2200, 4400]);
  });

  test('a configured schedule; retryEveryMs 0 stops after the attempts, retryNow() still works', async () => {
    const t = setup(ChatClient, { reconnect: { delayMs: 100, attempts: 2, retryEveryMs: 0, jitter: 0 } });
    const connected = t.client.connect();
    t.Socket.last().serverClose(1006);
    t.clock.advance(100);
    t.Socket.last().serverClose(1006);
    t.clock.advance(200);
    t.Socket.last().serverClose(1006);
    assert.deepEqual(delays(t.events), [100, 200]);
    assert.equal(t.client.state, 'closed');
    await assert.rejects(connected, { code: 'UNREACHABLE' });
    t.client.retryNow();
    await connectNow(t);
    assert.equal(t.client.state, 'open');
  });

  test('Node 20 undici: an error without a close still schedules the next attempt', async () => {
    const t = setup(ChatClient);
    t.client.connect();
    t.Socket.last().failLikeUndici();
    assert.deepEqual(t.clock.pending(), [2000]);
    t.clock.advance(2000);
    t.Socket.last().failLikeUndici();
    t.clock.advance(4000);
    assert.equal(t.Socket.all.length, 3, 'kept trying');
    // a close after the error is not counted twice
    t.Socket.last().failLikeUndici();
    t.Socket.all[2].serverClose(1006);
    assert.deepEqual(delays(t.events), [2000, 4000, 6000]);
  });

  test('the token function is called at every AUTH, so a refreshed token is used', async () => {
    let n = 0;
    const t = setup(ChatClient, { token: async () => `token-${++n}` });
    t.client.connect();
    await connectNow(t);
    t.Socket.last().serverClose(1001);
    t.clock.advance(2000);
    await connectNow(t);
    assert.deepEqual(t.Socket.all.map((ws) => ws.sent[0].token), ['token-1', 'token-2']);
    assert.equal(t.events.filter(([type]) => type === 'open').at(-1)[1].reconnect, true);
  });

  test('4401: no reconnect, an authFailed event, connect() and pending requests rejected', async () => {
    const t = setup(ChatClient);
    const connected = t.client.connect();
    const ws = t.Socket.last();
    ws.open();
    await flush();
    ws.frame({ type: 'ERROR', code: 'AUTH_FAILED', msg: 'token revoked' });
    ws.serverClose(4401);
    await assert.rejects(connected, { code: 'AUTH_FAILED', message: 'token revoked' });
    assert.deepEqual(t.clock.pending(), []);
    const failed = t.events.find(([type]) => type === 'authFailed')[1];
    assert.equal(failed.code, 4401);
    assert.equal(failed.error.msg, 'token revoked');
    assert.equal(t.client.state, 'closed');
  });

  test('4401 after being open rejects what waits; disconnect() sends DISCONNECT, closes 1000, never reconnects', async () => {
    const t = setup(ChatClient);
    t.client.connect();
    await connectNow(t);
    const sending = t.client.sendGroupMessage('g1', 'hi');
    t.Socket.last().serverClose(4401);
    await assert.rejects(sending, { code: 'AUTH_FAILED' });

    const u = setup(ChatClient);
    u.client.connect();
    const ws = await connectNow(u);
    const waiting = u.client.getGroupHistory('g1');
    u.client.disconnect();
    await assert.rejects(waiting, { code: 'DISCONNECTED' });
    assert.deepEqual(ws.sent.map((f) => f.type), ['AUTH', 'GET_GROUP_CHAT_HISTORY', 'DISCONNECT']);
    assert.equal(ws.closedWith, 1000);
    ws.serverClose(1000);
    u.clock.advance(60000);
    assert.equal(u.Socket.all.length, 1);
    assert.equal(u.client.state, 'closed');
  });

  test('a socket that opens but gets no AUTH answer is dropped after openTimeoutMs and retried', async () => {
    const t = setup(ChatClient, { openTimeoutMs: 5000 });
    t.client.connect();
    t.Socket.last().open();
    await flush();
    t.clock.advance(5000);
    assert.equal(t.Socket.all[0].closedWith, 4000);
    assert.deepEqual(delays(t.events), [2000]);
  });

  test('the attempt count restarts at an AUTH SUCCESS, not when a socket merely opens', async () => {
    const t = setup(ChatClient);
    t.client.connect();
    await connectNow(t);
    t.Socket.last().serverClose(1001);
    t.clock.advance(2000);
    t.Socket.last().open();
    await flush();
    t.Socket.last().serverClose(1006);
    assert.deepEqual(delays(t.events), [2000, 4000]);
  });
});

describe('presence', () => {
  test('online set from the snapshot and the updates; after a reconnect a contact missing from the snapshot goes offline', async () => {
    const t = setup(PresenceClient, { snapshotSettleMs: 1000 });
    const seen = [];
    t.client.onPresenceUpdate = (u) => seen.push(`${u.username} ${u.status}${u.synthetic ? ' (inferred)' : ''}`);
    t.client.connect();
    let ws = await connectNow(t);
    const at = '2026-12-01T10:00:00.000Z';
    ws.frame({ type: 'PRESENCE_UPDATE', username: 'bob', status: 'online', timestamp: at });
    ws.frame({ type: 'PRESENCE_UPDATE', username: 'carol', status: 'online', timestamp: at });
    assert.deepEqual([...t.client.online].sort(), ['bob', 'carol']);
    ws.serverClose(1001);
    t.clock.advance(2000);
    ws = await connectNow(t);
    ws.frame({ type: 'PRESENCE_UPDATE', username: 'bob', status: 'online', timestamp: at });
    t.clock.advance(1000);
    assert.deepEqual([...t.client.online], ['bob']);
    assert.deepEqual(seen, ['bob online', 'carol online', 'carol offline (inferred)']);
  });
});
