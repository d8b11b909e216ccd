// The chat client's outbox (exactly once across drops), pacing, answers by clientMsgId, dedupe and catch-up,
// with a scripted socket and clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChatClient } from '../../dist/index.js';
import { connectNow, flush, setup } from './harness.mjs';

const T = '2026-12-01T10:00:00.000Z';
const sentAnswer = (frame, n, extra = {}) => ({ type: 'SUCCESS', msg: 'sent', messageId: `msg_${n}`,
  ...(frame.groupId ? { groupId: frame.groupId } : { chatId: 'chat_ab' }), timestamp: T, clientMsgId: frame.clientMsgId, ...extra });
const dm = (n, from = 'bob') => ({ type: 'ONE_TO_ONE_CHAT', from, to: 'alice', content: `m${n}`, chatId: 'chat_ab',
  timestamp: T, messageId: `msg_${n}` });
const gm = (n, groupId = 'g1') => ({ type: 'GROUP_CHAT', from: 'bob', groupId, content: `g${n}`, timestamp: T,
  messageId: `msg_${n}` });

async function connected(options) {
  const t = setup(ChatClient, options);
  t.client.connect();
  await connectNow(t);
  return t;
}

describe('chat client', () => {
  test('a send resolves with its SUCCESS and rejects with the ERROR\'s code, matched by clientMsgId', async () => {
    const t = await connected();
    const ws = t.Socket.last();
    const a = t.client.sendPrivateMessage('bob', 'hello', 'chat_ab');
    const b = t.client.sendGroupMessage('g1', 'hi all');
    const [fa, fb] = ws.frames;
    assert.deepEqual({ ...fa, clientMsgId: 'x' }, { type: 'ONE_TO_ONE_CHAT', to: 'bob', content: 'hello', chatId: 'chat_ab', clientMsgId: 'x' });
    assert.ok(fa.clientMsgId.length >= 1 && fa.clientMsgId.length <= 64);
    assert.notEqual(fa.clientMsgId, fb.clientMsgId);
    ws.frame({ type: 'ERROR', code: 'FORBIDDEN', msg: 'not a member', clientMsgId: fb.clientMsgId });
    ws.frame(sentAnswer(fa, 7));
    assert.equal((await a).messageId, 'msg_7');
    await assert.rejects(b, (e) => e instanceof Error && e.code === 'FORBIDDEN' && e.message === 'not a member');
  });

  test('history, join and leave resolve with their answers', async () => {
    const t = await connected();
    const ws = t.Socket.last();
    const h = t.client.getChatHistory('bob', null, { limit: 2, before: 'msg_9' });
    const g = t.client.getGroupHistory('g1', { after: 'msg_3' });
    const j = t.client.joinGroup('g2');
    const [fh, fg, fj] = ws.frames;
    assert.deepEqual({ ...fh, clientMsgId: 0 }, { type: 'GET_ONE_TO_ONE_HISTORY', to: 'bob', limit: 2, before: 'msg_9', clientMsgId: 0 });
    assert.equal(fg.after, 'msg_3');
    ws.frame({ type: 'ONE_TO_ONE_CHAT_HISTORY', chatId: 'chat_ab', messages: [dm(4), dm(5)], hasMore: true, clientMsgId: fh.clientMsgId });
    ws.frame({ type: 'GROUP_CHAT_HISTORY', groupId: 'g1', messages: [], hasMore: false, clientMsgId: fg.clientMsgId });
    ws.frame({ type: 'SUCCESS', msg: 'joined', groupId: 'g2', clientMsgId: fj.clientMsgId });
    assert.deepEqual(await h, { chatId: 'chat_ab', messages: [dm(4), dm(5)], hasMore: true });
    assert.deepEqual(await g, { groupId: 'g1', messages: [], hasMore: false });
    assert.equal((await j).msg, 'joined');
  });

  test('outbox: a send while down goes out after AUTH and resolves then', async () => {
    const t = await connected();
    t.Socket.last().serverClose(1006);
    const p = t.client.sendPrivateMessage('bob', 'written offline');
    assert.equal(t.client.pending.length, 1);
    t.clock.advance(2000);
    const ws = await connectNow(t);
    assert.equal(ws.frames.length, 1);
    ws.frame(sentAnswer(ws.frames[0], 11));
    assert.equal((await p).messageId, 'msg_11');
    assert.equal(t.client.pending.length, 0);
  });

  test('outbox: an answer lost in a drop: the same clientMsgId is sent again and the Promise resolves once', async () => {
    const t = await connected();
    let resolved = 0;
    const p = t.client.sendGroupMessage('g1', 'once').then((s) => { resolved += 1; return s; });
    const first = t.Socket.last().frames[0];
    t.Socket.last().serverClose(1001); // stored by the server, but the SUCCESS never arrived
    t.clock.advance(2000);
    const ws = await connectNow(t);
    const again = ws.frames.find((f) => f.type === 'GROUP_CHAT');
    assert.equal(again.clientMsgId, first.clientMsgId);
    ws.frame(sentAnswer(again, 12, { duplicate: true }));
    ws.frame(sentAnswer(again, 12, { duplicate: true })); // even a stray second answer changes nothing
    assert.equal((await p).messageId, 'msg_12');
    await flush();
    assert.equal(resolved, 1);
  });

  test('pacing: 100 sends at once go out at the burst, then 20/s, and none is refused', async () => {
    const t = await connected();
    const ws = t.Socket.last();
    const sends = [];
    for (let i = 0; i < 100; i++) sends.push(t.client.sendGroupMessage('g1', `n${i}`));
    // the AUTH took one frame of the 38-frame bucket (the server's 40 less a margin of 2)
    assert.equal(ws.frames.length, 37);
    t.clock.advance(1000);
    assert.equal(ws.frames.length, 57);
    t.clock.advance(2000);
    assert.equal(ws.frames.length, 97);
    t.clock.advance(200);
    assert.equal(ws.frames.length, 100);
    ws.frames.forEach((f, i) => ws.frame(sentAnswer(f, 100 + i)));
    assert.equal((await Promise.all(sends)).length, 100);
    // the frames' send times never beat the server's bucket (40 burst, 20/s)
  });

  test('pacing follows the options', async () => {
    const t = await connected({ rate: { perSecond: 5, burst: 10 } });
    for (let i = 0; i < 20; i++) t.client.sendGroupMessage('g1', `n${i}`);
    assert.equal(t.Socket.last().frames.length, 7); // 10 - 2 margin - AUTH
    t.clock.advance(1000);
    assert.equal(t.Socket.last().frames.length, 12);
  });

  test('RATE_LIMITED or UNAVAILABLE: the same frame again a little later (nothing was done)', async () => {
    const t = await connected();
    const ws = t.Socket.last();
    const p = t.client.sendGroupMessage('g1', 'x');
    const f = ws.frames[0];
    ws.frame({ type: 'ERROR', code: 'RATE_LIMITED', msg: 'over', clientMsgId: f.clientMsgId });
    t.clock.advance(1000);
    assert.equal(ws.frames.length, 2);
    assert.equal(ws.frames[1].clientMsgId, f.clientMsgId);
    ws.frame(sentAnswer(f, 3));
    assert.equal((await p).messageId, 'msg_3');
  });

  test('a LEAVE_GROUP resent after a drop and answered FORBIDDEN had been applied: it resolves', async () => {
    const t = await connected();
    const p = t.client.leaveGroup('g1');
    t.Socket.last().serverClose(1006);
    t.clock.advance(2000);
    const ws = await connectNow(t);
    const f = ws.frames.find((x) => x.type === 'LEAVE_GROUP');
    ws.frame({ type: 'ERROR', code: 'FORBIDDEN', msg: 'not a member', clientMsgId: f.clientMsgId });
    assert.equal((await p).msg, 'left');
  });

  test('requestTimeoutMs rejects with TIMEOUT', async () => {
    const t = await connected({ requestTimeoutMs: 5000 });
    const p = t.client.getGroupHistory('g1');
    t.clock.advance(5000);
    await assert.rejects(p, { code: 'TIMEOUT' });
  });

  test('incoming messages reach the callbacks and on(type) listeners once each', async () => {
    const t = await connected();
    const ws = t.Socket.last();
    const got = [];
    t.client.onPrivateMessage = (m) => got.push(`dm ${m.messageId}`);
    t.client.onGroupMessage = (m) => got.push(`group ${m.messageId}`);
    t.client.onInfo = (i) => got.push(`info ${i.event}`);
    t.client.on('GROUP_CHAT', (m) => got.push(`listener ${m.messageId}`));
    ws.frame(dm(1));
    ws.frame(dm(1));
    ws.frame(gm(2));
    ws.frame({ type: 'INFO', msg: 'carol joined g1', event: 'JOINED', groupId: 'g1', username: 'carol' });
    assert.deepEqual(got, ['dm msg_1', 'group msg_2', 'listener msg_2', 'info JOINED']);
  });

  test('a listener that throws does not stop the others', async () => {
    const t = await connected();
    const got = [];
    const original = console.error;
    console.error = () => {};
    try {
      t.client.on('ONE_TO_ONE_CHAT', () => { throw new Error('app bug'); });
      t.client.on('ONE_TO_ONE_CHAT', (m) => got.push(m.messageId));
      t.Socket.last().frame(dm(1));
    } finally {
      console.error = original;
    }
    assert.deepEqual(got, ['msg_1']);
  });

  test('catch-up: after a reconnect, history after the newest known message of each conversation, delivered once, in order', async () => {
    const t = await connected({ catchUpPageSize: 2 });
    let ws = t.Socket.last();
    const got = [];
    t.client.onPrivateMessage = (m) => got.push(m.messageId);
    t.client.onGroupMessage = (m) => got.push(m.messageId);
    ws.frame(dm(1));
    ws.frame(gm(2));
    const mine = t.client.sendGroupMessage('g1', 'mine');
    ws.frame(sentAnswer(ws.frames[0], 3));
    await mine;
    ws.serverClose(1006);
    // offline: a message is written, to go out after the catch-up's cursors are taken
    const later = t.client.sendPrivateMessage('bob', 'later');
    t.clock.advance(2000);
    ws = await connectNow(t);
    const [resent, h1] = ws.frames;
    assert.equal(resent.type, 'ONE_TO_ONE_CHAT');
    assert.deepEqual({ ...h1, clientMsgId: 0 }, { type: 'GET_ONE_TO_ONE_HISTORY', chatId: 'chat_ab', after: 'msg_1', limit: 2, clientMsgId: 0 });
    // a live message arrives during the catch-up: it waits for the older ones
    ws.frame(dm(9));
    ws.frame(sentAnswer(resent, 10));
    await later;
    ws.frame({ type: 'ONE_TO_ONE_CHAT_HISTORY', chatId: 'chat_ab', messages: [dm(4), dm(5)], hasMore: true, clientMsgId: h1.clientMsgId });
    await flush();
    const h2 = ws.frames[2];
    assert.equal(h2.after, 'msg_5');
    ws.frame({ type: 'ONE_TO_ONE_CHAT_HISTORY', chatId: 'chat_ab', messages: [dm(7), dm(9)], hasMore: false, clientMsgId: h2.clientMsgId });
    await flush();
    const h3 = ws.frames[3];
    assert.deepEqual([h3.type, h3.groupId, h3.after], ['GET_GROUP_CHAT_HISTORY', 'g1', 'msg_2']);
    // our own message (msg_3) is in the group's history: not delivered again
    ws.frame({ type: 'GROUP_CHAT_HISTORY', groupId: 'g1', messages: [{ ...gm(3), from: 'alice' }, gm(6)], hasMore: false, clientMsgId: h3.clientMsgId });
    await flush();
    assert.deepEqual(got, ['msg_1', 'msg_2', 'msg_4', 'msg_5', 'msg_7', 'msg_9', 'msg_6']);
    const caughtUp = t.events.find(([type]) => type === 'caughtUp')[1];
    assert.deepEqual(caughtUp, { conversations: 2, messages: 5, via: 'history' });
  });

  test('catch-up: a group that was left elsewhere (FORBIDDEN) is dropped; a drop during catch-up starts over', async () => {
    const t = await connected();
    let ws = t.Socket.last();
    ws.frame(gm(1, 'g1'));
    ws.frame(gm(2, 'g2'));
    ws.serverClose(1006);
    t.clock.advance(2000);
    ws = await connectNow(t);
    ws.serverClose(1006); // before any answer
    t.clock.advance(2000);
    ws = await connectNow(t);
    const [a] = ws.frames;
    assert.equal(a.groupId, 'g1');
    ws.frame({ type: 'ERROR', code: 'FORBIDDEN', msg: 'not a member', clientMsgId: a.clientMsgId });
    await flush();
    const b = ws.frames[1];
    assert.equal(b.groupId, 'g2');
    ws.frame({ type: 'GROUP_CHAT_HISTORY', groupId: 'g2', messages: [gm(3, 'g2')], hasMore: false, clientMsgId: b.clientMsgId });
    await flush();
    ws.serverClose(1006);
    t.clock.advance(2000);
    ws = await connectNow(t);
    assert.deepEqual(ws.frames.map((f) => [f.groupId, f.after]), [['g2', 'msg_3']]);
  });
});
