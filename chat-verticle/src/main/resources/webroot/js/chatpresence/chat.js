// The chat server's client: sends and requests as Promises settled by the server's answers (matched by
// clientMsgId), an outbox that survives drops (a send is resent with the same clientMsgId, which the server
// stores once: exactly once), and after a reconnect the messages that arrived meanwhile, fetched with history
// `after` per known conversation and handed to the callbacks once each, in order.
import { ChatPresenceError, Connection } from './connection.js';
import { call } from './emitter.js';
/** Answers that a RATE_LIMITED or UNAVAILABLE request is tried again after (ms x try): nothing was done. */
const RETRY_DELAY_MS = 1000;
const MAX_RETRIES = 5;
const RETRYABLE = new Set(['RATE_LIMITED', 'UNAVAILABLE']);
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
        this.outbox = new Map();
        this.conversations = new Map();
        this.catchUpRun = 0;
        this.chatOptions = options;
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
                call(this.onInfo, frame);
                break;
            default:
                break;
        }
        this.events.emit(frame.type, frame);
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
    live(conv, message) {
        if (conv.held)
            conv.held.push(message);
        else
            this.deliver(conv, message);
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
            this.events.emit('caughtUp', { conversations: convs.length, messages: delivered });
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
function errorFrame(code, msg, clientMsgId) {
    return { type: 'ERROR', code, msg, clientMsgId };
}
