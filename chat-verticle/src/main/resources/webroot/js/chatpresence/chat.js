// The chat server's client: sends and requests as Promises settled by the server's answers (matched by
// clientMsgId), an outbox that survives drops (a send is resent with the same clientMsgId, which the server
// stores once: exactly once), and after a reconnect the messages that arrived meanwhile, fetched with history
// `after` per known conversation and handed to the callbacks once each, in order. With the `sync` feature the
// catch-up is one SYNC since the last token instead (every conversation, edits, deletions and receipts too), and
// the extensions have typed methods: markRead, setTyping, getInbox, editMessage, deleteMessage, sync, and the
// blocks over REST.
import { ChatPresenceError, Connection } from './connection.js';
import { call } from './emitter.js';
import { apiBaseOf, Rest } from './rest.js';
/** Answers that a RATE_LIMITED or UNAVAILABLE request is tried again after (ms x try): nothing was done. */
const RETRY_DELAY_MS = 1000;
const MAX_RETRIES = 5;
const RETRYABLE = new Set(['RATE_LIMITED', 'UNAVAILABLE']);
/** More events than this delivered live since the token: the token is moved on (a SYNC that replays nothing). */
const COMPACT_AFTER = 1000;
let seq = 0;
/** A clientMsgId (1 to 64 characters) unique enough: time, randomness and a counter. */
function newId() {
    seq = (seq + 1) % 0x7fffffff;
    return `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}${seq.toString(36)}`;
}
/** msg_<n> -> n; ids compare by that within a conversation. */
function seqOf(messageId) {
    const n = Number.parseInt(messageId.slice(messageId.lastIndexOf('_') + 1), 10);
    return Number.isFinite(n) ? n : -1;
}
function newer(a, b) {
    return a === null || seqOf(b) > seqOf(a);
}
export class ChatClient extends Connection {
    constructor(options) {
        super(options);
        /** A one-to-one message for this user (or sent from another of its sockets). */
        this.onPrivateMessage = null;
        /** A message in one of its groups. */
        this.onGroupMessage = null;
        /** Someone joined or left one of its groups. */
        this.onInfo = null;
        /** (`edit`) A message was edited, by its author on any device. */
        this.onMessageEdited = null;
        /** (`edit`) A message was deleted. */
        this.onMessageDeleted = null;
        /** (`read`) A read position moved: mine on another device (with `unread`), or someone's receipt. */
        this.onRead = null;
        /** (`typing`) Someone started or stopped typing in one of the conversations. */
        this.onTyping = null;
        this.outbox = new Map();
        this.conversations = new Map();
        this.catchUpRun = 0;
        /** (`sync`) Keys of the non-message events handed over live since the token: a replay skips them once each. */
        this.sinceToken = new Map();
        /** (`sync`) Live events that arrived while a SYNC catch-up runs: handed over after it, minus what it replayed. */
        this.syncHeld = null;
        this.chatOptions = options;
        this.token = options.syncToken ?? null;
        this.rest = new Rest(() => options.apiUrl ?? apiBaseOf(options.url), options.token, () => options.fetch ?? globalThis.fetch);
    }
    /**
     * (`sync`) The token the next catch-up starts from: everything before it has reached the callbacks. Keep it
     * (e.g. in storage) and pass it back as `options.syncToken` to catch up across sessions. Emits 'syncToken'.
     */
    get syncToken() {
        return this.token;
    }
    // ---- the client document's methods ------------------------------------------------------------------
    /** Sends a one-to-one message; resolves with its SUCCESS once it is stored (sent later if offline now). */
    sendPrivateMessage(to, content, chatId) {
        const frame = { type: 'ONE_TO_ONE_CHAT', to, content };
        if (chatId)
            frame.chatId = chatId;
        return this.request(frame);
    }
    /** Sends a group message; resolves with its SUCCESS once it is stored. */
    sendGroupMessage(groupId, content) {
        return this.request({ type: 'GROUP_CHAT', groupId, content });
    }
    /** A page of a one-to-one chat, oldest first; by partner, or by chatId. */
    async getChatHistory(partner, chatId, options = {}) {
        const frame = { type: 'GET_ONE_TO_ONE_HISTORY', ...pick(options) };
        if (partner)
            frame.to = partner;
        if (chatId)
            frame.chatId = chatId;
        const page = await this.request(frame);
        this.noteHistory('c:' + page.chatId, { chatId: page.chatId }, page.messages, options);
        return { chatId: page.chatId, messages: page.messages, hasMore: Boolean(page.hasMore) };
    }
    /** A page of a group's history, oldest first. */
    async getGroupHistory(groupId, options = {}) {
        const page = await this.request({ type: 'GET_GROUP_CHAT_HISTORY', groupId, ...pick(options) });
        this.noteHistory('g:' + page.groupId, { groupId: page.groupId }, page.messages, options);
        return { groupId: page.groupId, messages: page.messages, hasMore: Boolean(page.hasMore) };
    }
    /** Joins a group (an unknown id creates it, with the optional name). */
    joinGroup(groupId, name) {
        const frame = { type: 'JOIN_GROUP', groupId };
        if (name)
            frame.name = name;
        return this.request(frame);
    }
    /** Leaves a group; its messages are no longer caught up. */
    async leaveGroup(groupId) {
        const answer = await this.request({ type: 'LEAVE_GROUP', groupId });
        this.conversations.delete('g:' + groupId);
        return answer;
    }
    // ---- extensions --------------------------------------------------------------------------------------
    /** (`read`) Moves my read position in a conversation forward to messageId; resolves with the position and unread. */
    markRead(conversation, messageId) {
        return this.request({ type: 'MARK_READ', ...ref(conversation), messageId });
    }
    /**
     * (`typing`) Tells the others I am typing (true; repeat it every second or so while typing, the server absorbs
     * repeats) or stopped (false). Not queued while offline: answers whether it went out.
     */
    setTyping(conversation, typing) {
        return this.send({ type: 'TYPING', ...ref(conversation), typing });
    }
    /** (`read`) A page of my conversations, most recently active first, with unread counts; `next` pages on. */
    async getInbox(options = {}) {
        const frame = { type: 'GET_INBOX' };
        if (options.limit !== undefined)
            frame.limit = options.limit;
        if (options.cursor)
            frame.cursor = options.cursor;
        const inbox = await this.request(frame);
        // the app builds its state from this answer: a first catch-up point when none is known yet
        if (this.token === null && typeof inbox.syncToken === 'string' && this.features.includes('sync')) {
            this.setToken(inbox.syncToken);
        }
        return inbox;
    }
    /** (`edit`) Replaces the text of one of my messages; resolves once stored, with `editedAt`. */
    editMessage(messageId, content) {
        return this.request({ type: 'EDIT_MESSAGE', messageId, content });
    }
    /** (`edit`) Deletes one of my messages (or, as a group's owner, any message of the group). Safe to repeat. */
    deleteMessage(messageId) {
        return this.request({ type: 'DELETE_MESSAGE', messageId });
    }
    /**
     * (`sync`) One page of the events after `since` (none: no events, and `next` marks now). The events are
     * returned, not handed to the callbacks; the library's own catch-up does that (see catchUpNow()).
     */
    sync(since, options = {}) {
        const frame = { type: 'SYNC' };
        if (since)
            frame.since = since;
        if (options.limit !== undefined)
            frame.limit = options.limit;
        return this.request(frame);
    }
    /** (`sync`) Every event after `since`: sync() again with `next` while `hasMore`. */
    async syncAll(since, options = {}) {
        const events = [];
        let next = since;
        for (;;) {
            const page = await this.sync(next, options);
            events.push(...(page.events ?? []));
            next = page.next;
            if (!page.hasMore)
                return { events, next: page.next };
        }
    }
    /**
     * (`sync`) Catches up now from `syncToken` (done by itself after every reconnect): the events reach the
     * callbacks once each, in order, then 'caughtUp'. Resolves when done (rejects when not possible).
     */
    async catchUpNow() {
        if (!this.features.includes('sync'))
            throw new ChatPresenceError('INVALID', 'the sync feature is not enabled');
        if (this.token === null)
            await this.takeToken();
        else
            await this.syncCatchUp();
    }
    /** Blocks a user (REST `POST /api/blocks`): no one-to-one messages either way, no presence, typing, receipts. */
    async block(username) {
        await this.rest.call('POST', '/blocks', { username });
    }
    /** Unblocks a user (REST `DELETE /api/blocks/{username}`). */
    async unblock(username) {
        await this.rest.call('DELETE', `/blocks/${encodeURIComponent(username)}`);
    }
    /** The users I block (REST `GET /api/blocks`). */
    listBlocks() {
        return this.rest.call('GET', '/blocks');
    }
    /**
     * Any request frame (the extensions' too: MARK_READ, EDIT_MESSAGE, GET_INBOX, SYNC ...), with a clientMsgId
     * added: resolves with the answer that echoes it (SUCCESS, history, INBOX, SYNC), rejects with an Error whose
     * `code` is the ERROR's. Kept in the outbox while offline and sent (again) once the socket is back.
     */
    request(frame) {
        return this.enqueue(frame, true);
    }
    /** Requests not answered yet (sent or waiting for the socket), oldest first. */
    get pending() {
        return [...this.outbox.values()].filter((p) => p.resend).map((p) => p.frame);
    }
    // ---- outbox ------------------------------------------------------------------------------------------
    enqueue(frame, resend) {
        const id = typeof frame.clientMsgId === 'string' && frame.clientMsgId ? frame.clientMsgId : newId();
        const sending = { ...frame, clientMsgId: id };
        return new Promise((resolve, reject) => {
            const pending = { id, frame: sending, resolve, reject, resend, sent: 0, retries: 0, waiting: false,
                timer: null };
            const timeout = this.chatOptions.requestTimeoutMs ?? 0;
            if (timeout > 0) {
                pending.timer = this.clock.setTimeout(() => {
                    if (this.outbox.get(id) !== pending)
                        return;
                    this.outbox.delete(id);
                    reject(new ChatPresenceError('TIMEOUT', `no answer within ${timeout} ms`));
                }, timeout);
            }
            this.outbox.set(id, pending);
            if (this.isOpen)
                this.transmit(pending);
        });
    }
    transmit(pending) {
        pending.waiting = true;
        pending.sent += 1;
        this.send(pending.frame);
    }
    settle(pending, frame) {
        this.outbox.delete(pending.id);
        if (pending.timer !== null)
            this.clock.clearTimeout(pending.timer);
        if (frame.type === 'ERROR') {
            pending.reject(new ChatPresenceError(frame.code, frame.msg, frame));
        }
        else {
            pending.resolve(frame);
        }
    }
    answered(pending, frame) {
        if (frame.type === 'ERROR') {
            const error = frame;
            if (RETRYABLE.has(error.code) && pending.retries < MAX_RETRIES) {
                // nothing was done: the same frame (same clientMsgId) again, a little later
                pending.retries += 1;
                pending.waiting = false;
                this.clock.setTimeout(() => {
                    if (this.outbox.get(pending.id) === pending && !pending.waiting && this.isOpen)
                        this.transmit(pending);
                }, RETRY_DELAY_MS * pending.retries);
                return;
            }
            if (error.code === 'FORBIDDEN' && pending.frame.type === 'LEAVE_GROUP' && pending.sent > 1) {
                // the first LEAVE_GROUP was applied before its answer was lost: the group is left
                this.settle(pending, { type: 'SUCCESS', msg: 'left', groupId: pending.frame.groupId, clientMsgId: pending.id });
                return;
            }
        }
        else {
            this.noteSent(pending, frame);
        }
        this.settle(pending, frame);
    }
    /** A message of ours stored: its id is known (never delivered to the callbacks), its conversation too. */
    noteSent(pending, frame) {
        if (frame.type !== 'SUCCESS' || frame.msg !== 'sent')
            return;
        const sent = frame;
        const conv = sent.chatId ? this.conversation('c:' + sent.chatId, { chatId: sent.chatId })
            : sent.groupId ? this.conversation('g:' + sent.groupId, { groupId: sent.groupId }) : null;
        if (!conv || typeof sent.messageId !== 'string')
            return;
        this.remember(conv, sent.messageId);
        if (conv.cursor === null)
            conv.cursor = sent.messageId;
        void pending;
    }
    // ---- connection events ---------------------------------------------------------------------------------
    authenticatedNow(event) {
        if (this.features.includes('sync') && this.chatOptions.catchUp !== false) {
            // one SYNC since the token (asked before the outbox goes out), or a first token now
            const catching = this.token !== null ? this.syncCatchUp() : this.takeToken();
            catching.catch(() => { });
            for (const pending of this.outbox.values()) {
                if (!pending.waiting)
                    this.transmit(pending);
            }
            return;
        }
        // the cursors are taken before anything is sent: our own resent messages get newer ids than the missed ones
        const cursors = event.reconnect && this.chatOptions.catchUp !== false ? this.cursors() : null;
        for (const pending of this.outbox.values()) {
            if (!pending.waiting)
                this.transmit(pending);
        }
        if (cursors && cursors.size > 0)
            void this.catchUp(cursors);
    }
    dropped() {
        this.catchUpRun += 1;
        this.syncHeld = null; // replayed by the next SYNC from the same token
        for (const conv of this.conversations.values())
            conv.held = null; // fetched again by the next catch-up
        for (const pending of [...this.outbox.values()]) {
            pending.waiting = false;
            if (!pending.resend)
                this.settle(pending, errorFrame('DISCONNECTED', 'the connection was lost', pending.id));
        }
    }
    stopped(error) {
        this.catchUpRun += 1;
        for (const pending of [...this.outbox.values()]) {
            this.outbox.delete(pending.id);
            if (pending.timer !== null)
                this.clock.clearTimeout(pending.timer);
            pending.reject(new ChatPresenceError(error.code, error.message, error.frame));
        }
    }
    received(frame) {
        const id = frame.clientMsgId;
        if (typeof id === 'string') {
            const pending = this.outbox.get(id);
            if (pending) {
                this.answered(pending, frame);
                this.events.emit(frame.type, frame);
                return;
            }
        }
        switch (frame.type) {
            case 'ONE_TO_ONE_CHAT':
                if (typeof frame.chatId === 'string')
                    this.live(this.conversation('c:' + frame.chatId, { chatId: frame.chatId }), frame);
                return;
            case 'GROUP_CHAT':
                if (typeof frame.groupId === 'string')
                    this.live(this.conversation('g:' + frame.groupId, { groupId: frame.groupId }), frame);
                return;
            case 'INFO':
            case 'MESSAGE_EDITED':
            case 'MESSAGE_DELETED':
            case 'READ':
                if (this.syncHeld) {
                    this.syncHeld.push(frame);
                    return;
                }
                this.noteLive(frame);
                this.dispatch(frame);
                return;
            case 'TYPING':
                call(this.onTyping, frame);
                break;
            default:
                break;
        }
        this.events.emit(frame.type, frame);
    }
    /** An event other than a message to its callback and listeners. */
    dispatch(frame) {
        switch (frame.type) {
            case 'INFO':
                call(this.onInfo, frame);
                break;
            case 'MESSAGE_EDITED':
                call(this.onMessageEdited, frame);
                break;
            case 'MESSAGE_DELETED':
                call(this.onMessageDeleted, frame);
                break;
            case 'READ':
                call(this.onRead, frame);
                break;
            default: break;
        }
        this.events.emit(frame.type, frame);
    }
    /** A live event since the token: the next SYNC replays it, and must skip it. */
    noteLive(frame) {
        if (this.token === null || !this.features.includes('sync'))
            return;
        const key = eventKey(frame);
        if (key)
            add(this.sinceToken, key);
        if (this.sinceToken.size > COMPACT_AFTER && this.isOpen) {
            this.syncCatchUp().catch(() => { });
        }
    }
    // ---- SYNC catch-up ------------------------------------------------------------------------------------
    setToken(token) {
        if (token === this.token)
            return;
        this.token = token;
        this.events.emit('syncToken', token);
    }
    /** No token yet: SYNC without `since` marks now. */
    async takeToken() {
        const page = await this.enqueue({ type: 'SYNC' }, false);
        if (this.token === null && typeof page.next === 'string') {
            this.sinceToken.clear();
            this.setToken(page.next);
        }
    }
    live(conv, message) {
        if (this.syncHeld)
            this.syncHeld.push(message);
        else if (conv.held)
            conv.held.push(message);
        else
            this.deliver(conv, message);
    }
    async syncCatchUp() {
        if (this.syncHeld)
            return; // one runs already
        const run = ++this.catchUpRun;
        this.syncHeld = [];
        const replayed = new Map();
        const touched = new Set();
        let since = this.token;
        let delivered = 0;
        let events = 0;
        try {
            for (;;) {
                const frame = { type: 'SYNC', limit: this.chatOptions.syncPageSize ?? 500 };
                if (since)
                    frame.since = since;
                const page = await this.enqueue(frame, false);
                if (run !== this.catchUpRun)
                    return;
                for (const event of page.events ?? []) {
                    const handed = this.replay(event, replayed, touched);
                    if (handed)
                        events += 1;
                    if (handed && isMessage(event))
                        delivered += 1;
                }
                since = page.next;
                if (!page.hasMore || !(page.events?.length))
                    break;
            }
        }
        catch (error) {
            if (run !== this.catchUpRun) {
                // dropped: what was replayed counts as handed over since the token, for the next try
                for (const [key, n] of replayed)
                    for (let i = 0; i < n; i++)
                        add(this.sinceToken, key);
                throw error;
            }
            const held = this.syncHeld ?? [];
            this.syncHeld = null;
            if (error?.code !== 'INVALID') {
                // a failure of this try (a time-out, the server unavailable): the token stays, the next reconnect
                // tries again; what was handed over meanwhile is not handed over again then
                for (const [key, n] of replayed)
                    for (let i = 0; i < n; i++)
                        add(this.sinceToken, key);
                for (const frame of held)
                    this.handLive(frame);
                throw error;
            }
            // the server refused the token (not one of ours): hand over what waits, start again from now, and fetch
            // the messages of the conversations we know with history `after` (edits and deletions meanwhile are lost)
            for (const frame of held)
                this.handLive(frame);
            this.sinceToken.clear();
            this.setToken(null);
            const cursors = this.cursors();
            await this.takeToken();
            if (cursors.size > 0)
                void this.catchUp(cursors);
            throw error;
        }
        const held = this.syncHeld ?? [];
        this.syncHeld = null;
        this.sinceToken = new Map();
        this.setToken(since);
        // live events that arrived meanwhile: the ones the SYNC had already handed over are dropped
        for (const frame of held) {
            const key = isMessage(frame) ? null : eventKey(frame);
            if (key && take(replayed, key))
                continue;
            this.handLive(frame);
        }
        const done = { conversations: touched.size, messages: delivered, events, via: 'sync' };
        this.events.emit('caughtUp', done);
    }
    /** A held live frame, handed over now. */
    handLive(frame) {
        if (frame.type === 'ONE_TO_ONE_CHAT' || frame.type === 'GROUP_CHAT') {
            const conv = this.conversationOf(frame);
            if (conv)
                this.deliver(conv, frame);
            return;
        }
        this.noteLive(frame);
        this.dispatch(frame);
    }
    /** An event of a SYNC page: handed over unless it already was (live before the drop, or by history). */
    replay(event, replayed, touched) {
        const conv = this.conversationOf(event);
        if (conv)
            touched.add(conv.key);
        if (isMessage(event))
            return conv ? this.deliver(conv, event) : false;
        const key = eventKey(event);
        if (key === null)
            return false;
        if (take(this.sinceToken, key))
            return false;
        add(replayed, key);
        this.dispatch(event);
        return true;
    }
    conversationOf(frame) {
        const f = frame;
        if (typeof f.chatId === 'string')
            return this.conversation('c:' + f.chatId, { chatId: f.chatId });
        if (typeof f.groupId === 'string')
            return this.conversation('g:' + f.groupId, { groupId: f.groupId });
        return null;
    }
    // ---- delivery, dedupe, catch-up ---------------------------------------------------------------------
    conversation(key, ids) {
        let conv = this.conversations.get(key);
        if (!conv) {
            conv = { key, ...ids, cursor: null, seen: new Set(), held: null };
            this.conversations.set(key, conv);
        }
        return conv;
    }
    /** To the callbacks and listeners, once per messageId. */
    deliver(conv, message) {
        if (typeof message.messageId !== 'string' || conv.seen.has(message.messageId))
            return false;
        this.remember(conv, message.messageId);
        if (newer(conv.cursor, message.messageId))
            conv.cursor = message.messageId;
        if (message.type === 'ONE_TO_ONE_CHAT')
            call(this.onPrivateMessage, message);
        else
            call(this.onGroupMessage, message);
        this.events.emit(message.type, message);
        return true;
    }
    remember(conv, messageId) {
        conv.seen.add(messageId);
        const window = this.chatOptions.dedupeWindow ?? 1000;
        if (conv.seen.size > window) {
            // a Set iterates in insertion order: drop the oldest
            const oldest = conv.seen.values().next().value;
            conv.seen.delete(oldest);
        }
    }
    /** A page the app fetched: its messages count as known (no second delivery), and it advances the cursor. */
    noteHistory(key, ids, messages, options) {
        if (!messages?.length || (!ids.chatId && !ids.groupId))
            return;
        const conv = this.conversation(key, ids);
        for (const m of messages) {
            if (typeof m.messageId !== 'string')
                continue;
            this.remember(conv, m.messageId);
            if (!options.before && newer(conv.cursor, m.messageId))
                conv.cursor = m.messageId;
        }
        if (options.before && conv.cursor === null)
            conv.cursor = messages[messages.length - 1].messageId;
    }
    cursors() {
        const cursors = new Map();
        for (const conv of this.conversations.values())
            if (conv.cursor)
                cursors.set(conv.key, conv.cursor);
        return cursors;
    }
    async catchUp(cursors) {
        const run = ++this.catchUpRun;
        const size = this.chatOptions.catchUpPageSize ?? 200;
        const convs = [];
        for (const key of cursors.keys()) {
            const conv = this.conversations.get(key);
            if (conv) {
                conv.held = [];
                convs.push(conv);
            }
        }
        let delivered = 0;
        // one conversation after the other; each one's live messages wait until its catch-up is done
        for (const conv of convs) {
            let after = cursors.get(conv.key);
            try {
                for (;;) {
                    const frame = conv.chatId
                        ? { type: 'GET_ONE_TO_ONE_HISTORY', chatId: conv.chatId, after, limit: size }
                        : { type: 'GET_GROUP_CHAT_HISTORY', groupId: conv.groupId, after, limit: size };
                    const page = await this.enqueue(frame, false);
                    if (run !== this.catchUpRun)
                        return;
                    for (const m of page.messages)
                        if (this.deliver(conv, m))
                            delivered += 1;
                    if (!page.hasMore || page.messages.length === 0)
                        break;
                    after = page.messages[page.messages.length - 1].messageId;
                }
            }
            catch (error) {
                if (run !== this.catchUpRun)
                    return; // dropped again: the next reconnect starts over
                const code = error.code;
                if (code === 'FORBIDDEN' || code === 'NOT_FOUND') {
                    this.conversations.delete(conv.key); // left the group, or the conversation is gone
                    continue;
                }
            }
            const held = conv.held ?? [];
            conv.held = null;
            for (const m of held)
                this.deliver(conv, m);
        }
        if (run === this.catchUpRun) {
            const done = { conversations: convs.length, messages: delivered, via: 'history' };
            this.events.emit('caughtUp', done);
        }
    }
}
function pick(options) {
    const out = {};
    if (options.limit !== undefined)
        out.limit = options.limit;
    if (options.before !== undefined)
        out.before = options.before;
    if (options.after !== undefined)
        out.after = options.after;
    return out;
}
function ref(conversation) {
    if (conversation && typeof conversation.chatId === 'string')
        return { chatId: conversation.chatId };
    if (conversation && typeof conversation.groupId === 'string')
        return { groupId: conversation.groupId };
    throw new TypeError('a conversation is {chatId} or {groupId}');
}
function isMessage(frame) {
    return frame.type === 'ONE_TO_ONE_CHAT' || frame.type === 'GROUP_CHAT';
}
/** What identifies an event other than a message, to skip its replay once. */
function eventKey(frame) {
    const f = frame;
    const conv = `${f.chatId ?? ''}/${f.groupId ?? ''}`;
    switch (frame.type) {
        case 'MESSAGE_EDITED': return `E|${f.messageId}|${f.editedAt}`;
        case 'MESSAGE_DELETED': return `D|${f.messageId}`;
        case 'READ': return `R|${conv}|${f.username}|${f.messageId}`;
        case 'INFO': return `I|${conv}|${f.username}|${f.event}`;
        default: return null;
    }
}
function add(counts, key) {
    counts.set(key, (counts.get(key) ?? 0) + 1);
}
function take(counts, key) {
    const n = counts.get(key) ?? 0;
    if (n <= 0)
        return false;
    if (n === 1)
        counts.delete(key);
    else
        counts.set(key, n - 1);
    return true;
}
function errorFrame(code, msg, clientMsgId) {
    return { type: 'ERROR', code, msg, clientMsgId };
}
