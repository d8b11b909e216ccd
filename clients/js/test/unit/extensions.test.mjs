// The extensions' typed methods (read, typing, edit, sync, blocks over REST) and the SYNC catch-up after a
// reconnect, with a scripted socket, clock and fetch: what goes out, what the Promises resolve with, and that
// every event reaches the callbacks once, in order, across a drop.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChatClient } from '../../dist/index.js';
import { flush, setup } from './harness.mjs';

const ALL = ['read', 'typing', 'edit', 'sync'];
const T = '2026-12-01T10:00:00.000Z';
const dm = (n, from = 'bob') => ({ type: 'ONE_TO_ONE_CHAT', from, to: 'alice', content: `m${n}`, chatId: 'chat_ab',
  timestamp: T, messageId: `msg_${n}` });
const edited = (n, content, at = T) => ({ type: 'MESSAGE_EDITED', messageId: `msg_${n}`, chatId: 'chat_ab', from: 'bob',
  content, timestamp: T, editedAt: at });
const deleted = (n) => ({ type: 'MESSAGE_DELETED', messageId: `msg_${n}`, chatId: 'chat_ab', deletedAt: T });
const joined = (user) => ({ type: 'INFO', msg: `${user} joined`, event: 'JOINED', groupId: 'g1', username: user });

/** Opens the socket and accepts its AUTH with the features. */
async function open(t, features = ALL) {
  const ws = t.Socket.last();
  ws.open();
  await flush();
  ws.authOk('alice', features);
  await flush();
  return ws;
}

/** A client whose callbacks write what they get into `got`. */
function recording(t) {
  const got = [];
  t.client.onPrivateMessage = (m) => got.push(`msg ${m.messageId}`);
  t.client.onGroupMessage = (m) => got.push(`msg ${m.messageId}`);
  t.client.onMessageEdited = (e) => got.push(`edited ${e.messageId} ${e.content}`);
  t.client.onMessageDeleted = (e) => got.push(`deleted ${e.messageId}`);
  t.client.onRead = (e) => got.push(`read ${e.username} ${e.messageId}`);
  t.client.onInfo = (e) => got.push(`info ${e.username} ${e.event}`);
  t.client.onTyping = (e) => got.push(`typing ${e.username} ${e.typing}`);
  return got;
}

const syncs = (ws) => ws.frames.filter((f) => f.type === 'SYNC');

describe('extensions', () => {
  test('markRead, getInbox, editMessage, deleteMessage send their frames and resolve with the answers', async () => {
    const t = setup(ChatClient, { features: ALL, catchUp: false });
    t.client.connect();
    const ws = await open(t);
    const r = t.client.markRead({ chatId: 'chat_ab' }, 'msg_7');
    const i = t.client.getInbox({ limit: 20, cursor: 'c1' });
    const e = t.client.editMessage('msg_7', 'fixed');
    const d = t.client.deleteMessage('msg_8');
    const [fr, fi, fe, fd] = ws.frames;
    const strip = ({ clientMsgId, ...rest }) => { assert.ok(clientMsgId); return rest; };
    assert.deepEqual(strip(fr), { type: 'MARK_READ', chatId: 'chat_ab', messageId: 'msg_7' });
    assert.deepEqual(strip(fi), { type: 'GET_INBOX', limit: 20, cursor: 'c1' });
    assert.deepEqual(strip(fe), { type: 'EDIT_MESSAGE', messageId: 'msg_7', content: 'fixed' });
    assert.deepEqual(strip(fd), { type: 'DELETE_MESSAGE', messageId: 'msg_8' });
    ws.frame({ type: 'SUCCESS', msg: 'read', chatId: 'chat_ab', messageId: 'msg_7', unread: 0, clientMsgId: fr.clientMsgId });
    ws.frame({ type: 'INBOX', conversations: [], totalUnread: 0, next: null, syncToken: 's1', clientMsgId: fi.clientMsgId });
    ws.frame({ type: 'ERROR', code: 'FORBIDDEN', msg: 'not yours', clientMsgId: fe.clientMsgId });
    ws.frame({ type: 'SUCCESS', msg: 'deleted', messageId: 'msg_8', chatId: 'chat_ab', clientMsgId: fd.clientMsgId });
    assert.equal((await r).unread, 0);
    assert.equal((await i).syncToken, 's1');
    await assert.rejects(e, (err) => err.code === 'FORBIDDEN');
    assert.equal((await d).msg, 'deleted');
    assert.equal(t.client.syncToken, 's1', 'the first INBOX gives the first token');
    assert.throws(() => t.client.markRead({}, 'msg_1'), TypeError);
  });

  test('setTyping goes out at once (not queued while offline); TYPING reaches onTyping', async () => {
    const t = setup(ChatClient, { features: ALL, catchUp: false });
    const got = recording(t);
    assert.equal(t.client.setTyping({ groupId: 'g1' }, true), false, 'offline: not sent');
    t.client.connect();
    const ws = await open(t);
    assert.equal(t.client.setTyping({ groupId: 'g1' }, true), true);
    assert.deepEqual(ws.frames, [{ type: 'TYPING', groupId: 'g1', typing: true }]);
    ws.frame({ type: 'TYPING', chatId: 'chat_ab', username: 'bob', typing: true });
    assert.deepEqual(got, ['typing bob true']);
  });

  test('sync pages; syncAll calls again with next while hasMore', async () => {
    const t = setup(ChatClient, { features: ALL, catchUp: false });
    t.client.connect();
    const ws = await open(t);
    const all = t.client.syncAll('s0', { limit: 2 });
    await flush();
    let [f] = syncs(ws);
    assert.deepEqual([f.since, f.limit], ['s0', 2]);
    ws.frame({ type: 'SYNC', events: [dm(1), dm(2)], next: 's2', hasMore: true, clientMsgId: f.clientMsgId });
    await flush();
    f = syncs(ws)[1];
    assert.deepEqual([f.since, f.limit], ['s2', 2]);
    ws.frame({ type: 'SYNC', events: [edited(1, 'm1!')], next: 's3', hasMore: false, clientMsgId: f.clientMsgId });
    const result = await all;
    assert.deepEqual(result.events.map((e) => e.type), ['ONE_TO_ONE_CHAT', 'ONE_TO_ONE_CHAT', 'MESSAGE_EDITED']);
    assert.equal(result.next, 's3');
    const now = t.client.sync();
    f = syncs(ws)[2];
    assert.equal(f.since, undefined, 'no since: the token of now');
    ws.frame({ type: 'SYNC', events: [], next: 's4', hasMore: false, clientMsgId: f.clientMsgId });
    assert.equal((await now).next, 's4');
  });

  test('first AUTH without a token takes one; a reconnect catches up with SYNC since it, not history', async () => {
    const t = setup(ChatClient, { features: ALL });
    const got = recording(t);
    t.client.connect();
    let ws = await open(t);
    const [take] = syncs(ws);
    assert.equal(take.since, undefined);
    ws.frame({ type: 'SYNC', events: [], next: 's1', hasMore: false, clientMsgId: take.clientMsgId });
    await flush();
    assert.equal(t.client.syncToken, 's1');
    // live before the drop: a message, an edit of it, a join
    ws.frame(dm(1));
    ws.frame(edited(1, 'm1 v2', '2026-12-01T10:00:01.000Z'));
    ws.frame(joined('carol'));
    ws.serverClose(1006);
    t.clock.advance(2000);
    ws = await open(t);
    const [first] = ws.frames;
    assert.deepEqual([first.type, first.since, first.limit], ['SYNC', 's1', 500]);
    assert.equal(ws.frames.some((f) => f.type.startsWith('GET_')), false, 'no history call per conversation');
    // live while the SYNC runs: held until it is done
    ws.frame(dm(5));
    ws.frame(deleted(2)); // also in the SYNC page below: handed over once
    // the SYNC replays what came live before the drop (skipped), then what was missed, in two pages
    ws.frame({ type: 'SYNC', events: [dm(1), edited(1, 'm1 v2', '2026-12-01T10:00:01.000Z'), joined('carol'), dm(2)],
      next: 's2', hasMore: true, clientMsgId: first.clientMsgId });
    await flush();
    const second = syncs(ws)[1];
    assert.equal(second.since, 's2');
    assert.deepEqual(got, ['msg msg_1', 'edited msg_1 m1 v2', 'info carol JOINED', 'msg msg_2'], 'nothing twice, held ones wait');
    ws.frame({ type: 'SYNC', events: [edited(2, 'm2 v2', '2026-12-01T10:00:02.000Z'), deleted(2), joined('carol')],
      next: 's3', hasMore: false, clientMsgId: second.clientMsgId });
    await flush();
    assert.deepEqual(got.slice(4), ['edited msg_2 m2 v2', 'deleted msg_2', 'info carol JOINED', 'msg msg_5'],
      'a second JOINED of carol (she left and came back) is not the first one; the held delete is not repeated');
    assert.equal(t.client.syncToken, 's3');
    const caughtUp = t.events.filter(([type]) => type === 'caughtUp').at(-1)[1];
    assert.deepEqual(caughtUp, { conversations: 2, messages: 1, events: 4, via: 'sync' });
  });

  test('a drop during the SYNC catch-up: the next one starts from the same token and repeats nothing', async () => {
    const t = setup(ChatClient, { features: ALL, syncToken: 'kept' });
    const got = recording(t);
    t.client.connect();
    let ws = await open(t);
    let [f] = syncs(ws);
    assert.equal(f.since, 'kept', 'a token from an earlier session: caught up at the first AUTH');
    ws.frame({ type: 'SYNC', events: [dm(1), edited(1, 'x')], next: 'k2', hasMore: true, clientMsgId: f.clientMsgId });
    await flush();
    ws.serverClose(1006);
    t.clock.advance(2000);
    ws = await open(t);
    [f] = syncs(ws);
    assert.equal(f.since, 'kept');
    ws.frame({ type: 'SYNC', events: [dm(1), edited(1, 'x'), deleted(1)], next: 'k3', hasMore: false, clientMsgId: f.clientMsgId });
    await flush();
    assert.deepEqual(got, ['msg msg_1', 'edited msg_1 x', 'deleted msg_1']);
    assert.equal(t.client.syncToken, 'k3');
  });

  test('a token the server refuses: a fresh one is taken, and the callbacks still get the live events', async () => {
    const t = setup(ChatClient, { features: ALL, syncToken: 'bogus' });
    const got = recording(t);
    const tokens = [];
    t.client.on('syncToken', (token) => tokens.push(token));
    t.client.connect();
    const ws = await open(t);
    const [f] = syncs(ws);
    ws.frame(dm(3));
    ws.frame({ type: 'ERROR', code: 'INVALID', msg: 'not a token of ours', clientMsgId: f.clientMsgId });
    await flush();
    const take = syncs(ws)[1];
    assert.equal(take.since, undefined);
    ws.frame({ type: 'SYNC', events: [], next: 'fresh', hasMore: false, clientMsgId: take.clientMsgId });
    await flush();
    assert.deepEqual(got, ['msg msg_3']);
    assert.deepEqual(tokens, [null, 'fresh']);
    // what it knows is fetched with history after the newest message it has
    const history = ws.frames.find((f) => f.type === 'GET_ONE_TO_ONE_HISTORY');
    assert.deepEqual([history.chatId, history.after], ['chat_ab', 'msg_3']);
    ws.frame({ type: 'ONE_TO_ONE_CHAT_HISTORY', chatId: 'chat_ab', messages: [dm(3), dm(4)], hasMore: false, clientMsgId: history.clientMsgId });
    await flush();
    assert.deepEqual(got, ['msg msg_3', 'msg msg_4']);
    assert.equal(t.events.filter(([type]) => type === 'caughtUp').at(-1)[1].via, 'history');
  });

  test('a SYNC that fails otherwise (INTERNAL) keeps the token: the next reconnect tries from it again', async () => {
    const t = setup(ChatClient, { features: ALL, syncToken: 'kept' });
    const got = recording(t);
    t.client.connect();
    let ws = await open(t);
    let [f] = syncs(ws);
    ws.frame(joined('dan')); // live, held while the SYNC runs
    ws.frame({ type: 'ERROR', code: 'INTERNAL', msg: 'storage unavailable', clientMsgId: f.clientMsgId });
    await flush();
    assert.deepEqual(got, ['info dan JOINED']);
    assert.equal(t.client.syncToken, 'kept');
    assert.equal(syncs(ws).length, 1, 'no fresh token taken');
    ws.serverClose(1006);
    t.clock.advance(2000);
    ws = await open(t);
    [f] = syncs(ws);
    assert.equal(f.since, 'kept');
    ws.frame({ type: 'SYNC', events: [joined('dan'), dm(8)], next: 'k9', hasMore: false, clientMsgId: f.clientMsgId });
    await flush();
    assert.deepEqual(got, ['info dan JOINED', 'msg msg_8'], 'the join handed over live is not repeated');
  });

  test('without the sync feature enabled by the server, the catch-up stays history after each conversation', async () => {
    const t = setup(ChatClient, { features: ALL });
    t.client.connect();
    let ws = await open(t, ['read']);
    assert.deepEqual(ws.frames, []);
    ws.frame(dm(4));
    ws.serverClose(1006);
    t.clock.advance(2000);
    ws = await open(t, ['read']);
    assert.deepEqual(ws.frames.map((f) => [f.type, f.after]), [['GET_ONE_TO_ONE_HISTORY', 'msg_4']]);
  });

  test('blocks over REST: bearer token, the calls, errors with the code and the status', async () => {
    const calls = [];
    const answers = [
      { status: 204, ok: true, json: async () => { throw new Error('no body'); } },
      { status: 200, ok: true, json: async () => [{ username: 'bob', since: T }] },
      { status: 204, ok: true, json: async () => null },
      { status: 400, ok: false, json: async () => ({ error: 'INVALID', message: 'you cannot block yourself' }) },
    ];
    const fetch = async (url, init) => { calls.push([init.method, url, init.headers.Authorization, init.body]); return answers.shift(); };
    const client = new ChatClient({ url: 'ws://chat.example:4000/', token: async () => 'tok', fetch });
    await client.block('bob');
    assert.deepEqual(await client.listBlocks(), [{ username: 'bob', since: T }]);
    await client.unblock('bob.x');
    await assert.rejects(client.block('alice'), (e) => e.code === 'INVALID' && e.status === 400
      && e.message === 'you cannot block yourself');
    assert.deepEqual(calls, [
      ['POST', 'http://chat.example:4000/api/blocks', 'Bearer tok', '{"username":"bob"}'],
      ['GET', 'http://chat.example:4000/api/blocks', 'Bearer tok', undefined],
      ['DELETE', 'http://chat.example:4000/api/blocks/bob.x', 'Bearer tok', undefined],
      ['POST', 'http://chat.example:4000/api/blocks', 'Bearer tok', '{"username":"alice"}'],
    ]);
    const secure = new ChatClient({ url: 'wss://chat.example/', token: 't', fetch: async (url) => { calls.push(url); return answers[0] ?? { status: 204, ok: true }; } });
    await secure.unblock('bob');
    assert.equal(calls.at(-1), 'https://chat.example/api/blocks/bob');
  });
});
