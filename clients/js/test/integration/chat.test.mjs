// The library against the real product (bin/vertx run all, started here on free ports with its own data):
// sends and answers, pacing under the server's real rate limit, exactly once through a lost answer, catch-up
// after a network drop, the outbox across a server restart (Node 20's WebSocket fails its reconnects with
// `error` and no `close` meanwhile), token refresh, presence, and 4401 after a logout.
// Run: node --experimental-websocket --test test/integration/ (needs the jar: mvn -q -B package -DskipTests).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ChatClient, PresenceClient } from '../../dist/index.js';
import { Product } from '../product.mjs';
import { TcpProxy, eventually } from './proxy.mjs';

const RUN = Date.now().toString(36).slice(-5);
let product;
let alice; // { username, token }
let bob;
const clients = [];

function chat(url, token, options = {}) {
  const client = new ChatClient({ url, token, ...options });
  clients.push(client);
  return client;
}

function collect(client) {
  const got = [];
  client.onPrivateMessage = (m) => got.push(m);
  client.onGroupMessage = (m) => got.push(m);
  return got;
}

describe('against the real product', { timeout: 240000 }, () => {
  before(async () => {
    product = await new Product().start();
    alice = await product.register(`alice_${RUN}`);
    bob = await product.register(`bob_${RUN}`);
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    await product?.destroy();
  });

  test('messages, history, groups and errors as Promises and callbacks', async () => {
    const a = chat(product.chatUrl, alice.token);
    const b = chat(product.chatUrl, bob.token);
    const bobGot = collect(b);
    const infos = [];
    a.onInfo = (i) => infos.push(i);
    assert.equal((await a.connect()).username, alice.username);
    await b.connect();

    const sent = await a.sendPrivateMessage(bob.username, 'hello bob');
    assert.match(sent.messageId, /^msg_\d+$/);
    assert.match(sent.chatId, /^chat_/);
    await eventually(() => bobGot.some((m) => m.messageId === sent.messageId), { message: 'bob got it' });
    assert.equal(bobGot[0].content, 'hello bob');

    const page = await b.getChatHistory(alice.username);
    assert.deepEqual(page.messages.map((m) => m.content), ['hello bob']);
    assert.equal(page.hasMore, false);

    const groupId = `g_${RUN}`;
    assert.equal((await a.joinGroup(groupId)).groupId, groupId);
    await b.joinGroup(groupId);
    await eventually(() => infos.some((i) => i.event === 'JOINED' && i.username === bob.username), { message: 'INFO' });
    const g = await b.sendGroupMessage(groupId, 'hi group');
    assert.equal(g.groupId, groupId);
    const gh = await a.getGroupHistory(groupId, { limit: 10 });
    assert.deepEqual(gh.messages.map((m) => m.messageId), [g.messageId]);

    await assert.rejects(a.sendGroupMessage(`nope_${RUN}`, 'x'), (e) => e instanceof Error && e.code === 'NOT_FOUND');
    await assert.rejects(a.sendPrivateMessage(alice.username, 'to myself'), { code: 'INVALID' });
    a.disconnect();
    b.disconnect();
  });

  test('a burst of 100 sends resolves without RATE_LIMITED (paced to 20/s, burst 40)', async () => {
    const a = chat(product.chatUrl, alice.token);
    const refused = [];
    a.on('ERROR', (e) => refused.push(e.code));
    await a.connect();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => a.sendPrivateMessage(bob.username, `burst ${i}`)));
    assert.equal(new Set(results.map((r) => r.messageId)).size, 100);
    assert.deepEqual(refused, []);
    console.log(`100 sends resolved in ${Date.now() - started} ms`);
    a.disconnect();
  });

  test('an answer lost in a drop: resent with its clientMsgId, stored and delivered once; missed messages caught up in order', async () => {
    const proxy = await new TcpProxy(product.chatPort).start();
    const a = chat(proxy.url, alice.token, { reconnect: { delayMs: 200, jitter: 0 } });
    const b = chat(product.chatUrl, bob.token);
    const aliceGot = collect(a);
    const bobGot = collect(b);
    await a.connect();
    await b.connect();
    // alice knows the conversation (a page of its history)
    await a.getChatHistory(bob.username);

    proxy.mute(); // the server still gets alice's frames, alice no longer hears it
    const sending = a.sendPrivateMessage(bob.username, 'answer lost');
    await eventually(() => bobGot.some((m) => m.content === 'answer lost'), { message: 'stored and delivered' });
    proxy.cut();
    for (let i = 1; i <= 3; i++) await b.sendPrivateMessage(alice.username, `missed ${i}`);
    proxy.restore();
    const success = await sending;
    assert.equal(success.duplicate, true, 'the server answered the retry with the first SUCCESS');
    await eventually(() => aliceGot.filter((m) => m.content.startsWith('missed')).length === 3, { message: 'caught up' });
    await b.sendPrivateMessage(alice.username, 'after');
    await eventually(() => aliceGot.some((m) => m.content === 'after'), { message: 'live again' });
    assert.deepEqual(aliceGot.map((m) => m.content).filter((c) => c.startsWith('missed') || c === 'after'),
      ['missed 1', 'missed 2', 'missed 3', 'after'], 'once each, in order');
    const history = await b.getChatHistory(alice.username, null, { limit: 200 });
    assert.equal(history.messages.filter((m) => m.content === 'answer lost').length, 1, 'stored once');
    assert.equal(bobGot.filter((m) => m.content === 'answer lost').length, 1, 'delivered once');
    a.disconnect();
    b.disconnect();
    await proxy.close();
  });

  test('a server restart: sockets closed 1001, a send while down resolves after it, the token function asked again, live and presence back', { timeout: 200000 }, async () => {
    let tokenCalls = 0;
    const a = chat(product.chatUrl, async () => { tokenCalls += 1; return (await product.login(alice.username)).token; });
    const b = chat(product.chatUrl, bob.token);
    const p = new PresenceClient({ url: product.presenceUrl, token: alice.token });
    clients.push(p);
    const aliceGot = collect(a);
    const bobGot = collect(b);
    const closes = [];
    a.on('close', (e) => closes.push(e.code));
    const t0 = Date.now();
    const trace = (what) => (e) => console.log(`${Date.now() - t0} ms ${what} ${JSON.stringify(e)}`);
    for (const [name, c] of [['alice', a], ['presence', p]]) {
      for (const type of ['state', 'close', 'reconnecting', 'open']) c.on(type, trace(`${name} ${type}`));
    }
    await a.connect();
    await b.connect();
    await a.sendPrivateMessage(bob.username, 'before the restart'); // they are contacts now
    await p.connect();
    await eventually(() => p.online.has(bob.username), { message: 'bob online in presence' });

    await product.stop();
    console.log(`${Date.now() - t0} ms product stopped`);
    assert.deepEqual(closes, [1001]);
    const whileDown = a.sendPrivateMessage(bob.username, 'written while the server was down');
    await product.start();
    console.log(`${Date.now() - t0} ms product started`);
    const sent = await whileDown;
    console.log(`${Date.now() - t0} ms sent`);
    assert.match(sent.messageId, /^msg_/);
    await eventually(() => bobGot.some((m) => m.messageId === sent.messageId), { timeout: 90000, message: 'bob got it' });
    assert.ok(tokenCalls >= 2, `token function called at every AUTH (${tokenCalls})`);
    // bob writes while alice is connected again: live; the presence client is back too
    await b.sendPrivateMessage(alice.username, 'after the restart');
    await eventually(() => aliceGot.some((m) => m.content === 'after the restart'), { message: 'live after the restart' });
    await eventually(() => p.isOpen && p.online.has(bob.username), { timeout: 90000, message: 'presence back' });
    assert.equal(bobGot.filter((m) => m.messageId === sent.messageId).length, 1);
  });

  test('a logout closes the socket with 4401: an authFailed event, and no reconnect', async () => {
    const session = await product.login(alice.username);
    const a = chat(product.chatUrl, session.token);
    await a.connect();
    const failed = new Promise((resolve) => a.on('authFailed', resolve));
    const reconnects = [];
    a.on('reconnecting', (e) => reconnects.push(e));
    const response = await fetch(`${product.httpBase}/api/auth/logout`, { method: 'POST',
      headers: { Authorization: `Bearer ${session.token}` } });
    assert.equal(response.status, 204);
    assert.equal((await failed).code, 4401);
    assert.equal(a.state, 'closed'); // no attempt scheduled (the unit tests check that with a scripted clock)
    assert.deepEqual(reconnects, []);
  });
});
