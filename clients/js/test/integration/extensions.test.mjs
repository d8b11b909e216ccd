// The extensions' typed methods against the real product: read state (inbox, markRead, READ to the reader's other
// socket and the partner's receipt), typing, and, where the server has them (the AUTH answer's `features`,
// /api/blocks), edit and delete, the SYNC catch-up after a network drop, and blocking over REST. A step whose
// server part is missing is skipped with the reason.
// Run: node --experimental-websocket --test test/integration/ (needs the jar: mvn -q -B package -DskipTests).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ChatClient } from '../../dist/index.js';
import { Product } from '../product.mjs';
import { TcpProxy, eventually } from './proxy.mjs';

const RUN = Date.now().toString(36).slice(-5);
const FEATURES = ['read', 'typing', 'edit', 'sync'];
let product;
let alice;
let bob;
let enabled = [];
const clients = [];

function chat(url, token, options = {}) {
  const client = new ChatClient({ url, token, features: FEATURES, ...options });
  clients.push(client);
  return client;
}

/** Every callback's frames, in order. */
function record(client) {
  const got = [];
  for (const name of ['onPrivateMessage', 'onGroupMessage', 'onMessageEdited', 'onMessageDeleted', 'onRead', 'onTyping', 'onInfo']) {
    client[name] = (f) => got.push(f);
  }
  return got;
}

/** Skips a step whose server part is missing; REQUIRE_EXTENSIONS=1 (once all have landed) makes that a failure. */
function needs(t, features) {
  const missing = features.filter((f) => !enabled.includes(f));
  if (missing.length && process.env.REQUIRE_EXTENSIONS === '1') assert.fail(`the server does not offer ${missing.join(', ')}`);
  if (missing.length) t.skip(`the server does not offer ${missing.join(', ')} yet`);
  return missing.length === 0;
}

describe('extensions against the real product', { timeout: 240000 }, () => {
  before(async () => {
    product = await new Product().start();
    alice = await product.register(`alice_${RUN}`);
    bob = await product.register(`bob_${RUN}`);
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    await product?.destroy();
  });

  test('inbox, markRead, READ to my other socket and a receipt to the partner; typing', async () => {
    const a = chat(product.chatUrl, alice.token, { catchUp: false });
    const b = chat(product.chatUrl, bob.token, { catchUp: false });
    const b2 = chat(product.chatUrl, bob.token, { catchUp: false });
    const aGot = record(a);
    const b2Got = record(b2);
    const bGot = record(b);
    enabled = (await a.connect()).features;
    await b.connect();
    await b2.connect();
    assert.ok(enabled.includes('read') && enabled.includes('typing'), `features ${enabled}`);

    await a.sendPrivateMessage(bob.username, 'one');
    const last = await a.sendPrivateMessage(bob.username, 'two');
    const inbox = await b.getInbox({ limit: 10 });
    const entry = inbox.conversations.find((c) => c.chatId === last.chatId);
    assert.equal(entry.with, alice.username);
    assert.equal(entry.unread, 2);
    assert.equal(entry.lastMessage.messageId, last.messageId);
    assert.equal(inbox.totalUnread, 2);
    assert.equal(typeof inbox.syncToken, 'string');

    const read = await b.markRead({ chatId: last.chatId }, last.messageId);
    assert.deepEqual([read.messageId, read.unread], [last.messageId, 0]);
    await eventually(() => b2Got.some((f) => f.type === 'READ' && f.unread === 0 && f.messageId === last.messageId),
      { message: 'my other socket told, with unread' });
    await eventually(() => aGot.some((f) => f.type === 'READ' && f.username === bob.username && f.unread === undefined),
      { message: 'the partner\'s receipt' });
    await assert.rejects(b.markRead({ chatId: last.chatId }, 'msg_999999999'), (e) => e.code === 'NOT_FOUND');

    assert.equal(a.setTyping({ chatId: last.chatId }, true), true);
    await eventually(() => bGot.some((f) => f.type === 'TYPING' && f.username === alice.username && f.typing === true),
      { message: 'typing forwarded' });
    a.setTyping({ chatId: last.chatId }, false);
    await eventually(() => bGot.some((f) => f.type === 'TYPING' && f.typing === false), { message: 'typing ended' });
    assert.equal(aGot.some((f) => f.type === 'TYPING'), false, 'nobody is told of their own typing');
  });

  test('edit and delete: answers, and the frames on the other side', async (t) => {
    if (!needs(t, ['edit'])) return;
    const a = chat(product.chatUrl, alice.token, { catchUp: false });
    const b = chat(product.chatUrl, bob.token, { catchUp: false });
    const bGot = record(b);
    await a.connect();
    await b.connect();
    const sent = await a.sendPrivateMessage(bob.username, 'typo');
    const edited = await a.editMessage(sent.messageId, 'fixed');
    assert.equal(edited.msg, 'edited');
    assert.equal(typeof edited.editedAt, 'string');
    await assert.rejects(b.editMessage(sent.messageId, 'not mine'), (e) => e.code === 'FORBIDDEN');
    const deleted = await a.deleteMessage(sent.messageId);
    assert.equal(deleted.msg, 'deleted');
    assert.equal((await a.deleteMessage(sent.messageId)).msg, 'deleted', 'a repeat answers the same');
    await eventually(() => bGot.some((f) => f.type === 'MESSAGE_EDITED' && f.content === 'fixed'), { message: 'edit seen' });
    await eventually(() => bGot.some((f) => f.type === 'MESSAGE_DELETED' && f.messageId === sent.messageId), { message: 'deletion seen' });
    const history = await b.getChatHistory(alice.username);
    const tombstone = history.messages.find((m) => m.messageId === sent.messageId);
    assert.equal(tombstone.deleted, true);
    assert.equal(tombstone.content, undefined);
  });

  test('a drop: one SYNC since the token brings the message, the edit and the deletion, once each', async (t) => {
    if (!needs(t, ['edit', 'sync'])) return;
    const proxy = await new TcpProxy(product.chatPort).start();
    const a = chat(product.chatUrl, alice.token, { catchUp: false });
    const b = chat(proxy.url, bob.token, { reconnect: { delayMs: 200, jitter: 0 } });
    const bGot = record(b);
    const caughtUp = [];
    b.on('caughtUp', (e) => caughtUp.push(e));
    await a.connect();
    await b.connect();
    await eventually(() => b.syncToken !== null, { message: 'a first token' });
    const kept = await a.sendPrivateMessage(bob.username, 'before the drop');
    const gone = await a.sendPrivateMessage(bob.username, 'deleted during the drop');
    await eventually(() => bGot.filter((f) => f.type === 'ONE_TO_ONE_CHAT').length === 2, { message: 'live before' });

    proxy.cut();
    await eventually(() => !b.isOpen, { message: 'b is down' });
    await a.editMessage(kept.messageId, 'edited during the drop');
    await a.deleteMessage(gone.messageId);
    const missed = await a.sendPrivateMessage(bob.username, 'sent during the drop');
    proxy.restore();
    await eventually(() => caughtUp.some((e) => e.via === 'sync'), { timeout: 20000, message: 'caught up by SYNC' });
    const summary = bGot.map((f) => `${f.type} ${f.messageId} ${f.content ?? ''}`.trim());
    assert.deepEqual(summary.filter((s) => !s.startsWith('READ')), [
      `ONE_TO_ONE_CHAT ${kept.messageId} before the drop`,
      `ONE_TO_ONE_CHAT ${gone.messageId} deleted during the drop`,
      `MESSAGE_EDITED ${kept.messageId} edited during the drop`,
      `MESSAGE_DELETED ${gone.messageId}`,
      `ONE_TO_ONE_CHAT ${missed.messageId} sent during the drop`,
    ]);
    await proxy.close();
  });

  test('blocking over REST: a blocked pair cannot message either way; unblock lifts it', async (t) => {
    const a = chat(product.chatUrl, alice.token, { catchUp: false });
    await a.connect();
    let list;
    try {
      list = await a.listBlocks();
    } catch (error) {
      if (error.status === 404 && process.env.REQUIRE_EXTENSIONS !== '1') { t.skip('the server has no /api/blocks yet'); return; }
      throw error;
    }
    assert.deepEqual(list, []);
    const b = chat(product.chatUrl, bob.token, { catchUp: false });
    await b.connect();
    await a.block(bob.username);
    assert.deepEqual((await a.listBlocks()).map((x) => x.username), [bob.username]);
    await assert.rejects(b.sendPrivateMessage(alice.username, 'hello?'), (e) => e.code === 'FORBIDDEN');
    await assert.rejects(a.sendPrivateMessage(bob.username, 'hello?'), (e) => e.code === 'FORBIDDEN');
    await assert.rejects(a.block(alice.username), (e) => e.status === 400);
    await a.unblock(bob.username);
    assert.deepEqual(await a.listBlocks(), []);
    assert.match((await b.sendPrivateMessage(alice.username, 'hello again')).messageId, /^msg_/);
  });
});
