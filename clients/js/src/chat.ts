// The chat server's client: sends and requests as Promises settled by the server's answers (matched by
// clientMsgId), an outbox that survives drops (a send is resent with the same clientMsgId, which the server
// stores once: exactly once), and after a reconnect the messages that arrived meanwhile, fetched with history
// `after` per known conversation and handed to the callbacks once each, in order. With the `sync` feature the
// catch-up is one SYNC since the last token instead (every conversation, edits, deletions and receipts too), and
// the extensions have typed methods: markRead, setTyping, getInbox, editMessage, deleteMessage, sync, and the
// blocks over REST.

import { ChatPresenceError, Connection, type ConnectionOptions, type OpenEvent } from './connection.js';
import { call } from './emitter.js';
import type {
  BlockEntry, ChatHistoryFrame, ChatMessage, ClientFrame, ConversationRef, DeletedAnswer, EditedAnswer, ErrorFrame,
  GroupAnswer, GroupHistoryFrame, GroupMessage, HistoryOptions, HistoryPage, InboxFrame, InfoFrame, MessageDeletedFrame,
  MessageEditedFrame, PrivateMessage, ReadAnswer, ReadFrame, ServerFrame, SentFrame, SuccessFrame, SyncEvent, SyncFrame,
  TypingFrame,
} from './frames.js';
import { apiBaseOf, Rest, type FetchLike } from './rest.js';

export interface ChatClientOptions extends ConnectionOptions {
  /** A request not answered within this many ms (counted from the call, offline time included) is rejected
   *  with code TIMEOUT; default 0: wait for as long as it takes (until disconnect()). */
  requestTimeoutMs?: number;
  /** Fetch what arrived while the socket was down, after every reconnect (default true). */
  catchUp?: boolean;
  /** Page size of those fetches (default 200, the server's largest). */
  catchUpPageSize?: number;
  /** How many messageIds per conversation are remembered to drop duplicates (default 1000). */
  dedupeWindow?: number;
  /** With `sync`: a token kept from an earlier session (`syncToken`); the first AUTH then catches up from it. */
  syncToken?: string | null;
  /** With `sync`: the `limit` of each SYNC page of the catch-up (default 500; the server allows 1 to 1000). */
  syncPageSize?: number;
  /** The REST API's base for block(), unblock(), listBlocks(); default: http(s)://<the socket's host>/api. */
  apiUrl?: string;
  /** A fetch implementation for those calls; default: globalThis.fetch. */
  fetch?: FetchLike;
}

export interface InboxOptions {
  /** 1 to 200; the server's default is 50. */
  limit?: number;
  /** The `next` of the previous page. */
  cursor?: string | null;
}

export interface SyncOptions {
  /** Events per page: 1 to 1000 (server default 100). */
  limit?: number;
}

/** What syncAll() gathered: every event after `since`, in order, and the token to ask with next time. */
export interface SyncResult {
  events: SyncEvent[];
  next: string;
}

export interface CaughtUpEvent {
  /** Conversations fetched (history catch-up), or touched by the events (SYNC catch-up). */
  conversations: number;
  /** Messages handed to the callbacks by the catch-up. */
  messages: number;
  /** With `sync`: every event handed to the callbacks (messages, edits, deletions, receipts, joins and leaves). */
  events?: number;
  /** How it caught up: one SYNC since the token, or history `after` per conversation. */
  via?: 'sync' | 'history';
}

/** Answers that a RATE_LIMITED or UNAVAILABLE request is tried again after (ms x try): nothing was done. */
const RETRY_DELAY_MS = 1000;
const MAX_RETRIES = 5;
const RETRYABLE = new Set(['RATE_LIMITED', 'UNAVAILABLE']);

interface Pending {
  id: string;
  frame: ClientFrame;
  resolve: (frame: any) => void;
  reject: (error: Error) => void;
  /** Resent after a reconnect (app requests), or rejected on a drop (the library's own catch-up). */
  resend: boolean;
  sent: number;
  retries: number;
  waiting: boolean; // sent on the current socket, or queued in the pacer: not to be sent again on it
  timer: unknown;
}

interface Conversation {
  key: string;
  chatId?: string;
  groupId?: string;
  /** The newest messageId received: catch-up asks for what came after it. */
  cursor: string | null;
  seen: Set<string>;
  /** Live messages that arrived while its catch-up runs: delivered after it, in order. */
  held: ChatMessage[] | null;
}

/** More events than this delivered live since the token: the token is moved on (a SYNC that replays nothing). */
const COMPACT_AFTER = 1000;

let seq = 0;

/** A clientMsgId (1 to 64 characters) unique enough: time, randomness and a counter. */
function newId(): string {
  seq = (seq + 1) % 0x7fffffff;
  return `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}${seq.toString(36)}`;
}

/** msg_<n> -> n; ids compare by that within a conversation. */
function seqOf(messageId: string): number {
  const n = Number.parseInt(messageId.slice(messageId.lastIndexOf('_') + 1), 10);
  return Number.isFinite(n) ? n : -1;
}

function newer(a: string | null, b: string): boolean {
  return a === null || seqOf(b) > seqOf(a);
}

export class ChatClient extends Connection {
  /** A one-to-one message for this user (or sent from another of its sockets). */
  onPrivateMessage: ((message: PrivateMessage) => void) | null = null;
  /** A message in one of its groups. */
  onGroupMessage: ((message: GroupMessage) => void) | null = null;
  /** Someone joined or left one of its groups. */
  onInfo: ((info: InfoFrame) => void) | null = null;
  /** (`edit`) A message was edited, by its author on any device. */
  onMessageEdited: ((frame: MessageEditedFrame) => void) | null = null;
  /** (`edit`) A message was deleted. */
  onMessageDeleted: ((frame: MessageDeletedFrame) => void) | null = null;
  /** (`read`) A read position moved: mine on another device (with `unread`), or someone's receipt. */
  onRead: ((frame: ReadFrame) => void) | null = null;
  /** (`typing`) Someone started or stopped typing in one of the conversations. */
  onTyping: ((frame: TypingFrame) => void) | null = null;

  private readonly outbox = new Map<string, Pending>();
  private readonly conversations = new Map<string, Conversation>();
  private readonly chatOptions: ChatClientOptions;
  private readonly rest: Rest;
  private catchUpRun = 0;
  /** (`sync`) The SYNC token everything up to which has been handed to the callbacks. */
  private token: string | null;
  /** (`sync`) Keys of the non-message events handed over live since the token: a replay skips them once each. */
  private sinceToken = new Map<string, number>();
  /** (`sync`) Live events that arrived while a SYNC catch-up runs: handed over after it, minus what it replayed. */
  private syncHeld: ServerFrame[] | null = null;

  constructor(options: ChatClientOptions) {
    super(options);
    this.chatOptions = options;
    this.token = options.syncToken ?? null;
    this.rest = new Rest(() => options.apiUrl ?? apiBaseOf(options.url), options.token,
      () => options.fetch ?? (globalThis as { fetch?: FetchLike }).fetch);
  }

  /**
   * (`sync`) The token the next catch-up starts from: everything before it has reached the callbacks. Keep it
   * (e.g. in storage) and pass it back as `options.syncToken` to catch up across sessions. Emits 'syncToken'.
   */
  get syncToken(): string | null {
    return this.token;
  }

  // ---- the client document's methods ------------------------------------------------------------------

  /** Sends a one-to-one message; resolves with its SUCCESS once it is stored (sent later if offline now). */
  sendPrivateMessage(to: string, content: string, chatId?: string): Promise<SentFrame> {
    const frame: ClientFrame = { type: 'ONE_TO_ONE_CHAT', to, content };
    if (chatId) frame.chatId = chatId;
    return this.request<SentFrame>(frame);
  }

  /** Sends a group message; resolves with its SUCCESS once it is stored. */
  sendGroupMessage(groupId: string, content: string): Promise<SentFrame> {
    return this.request<SentFrame>({ type: 'GROUP_CHAT', groupId, content });
  }

  /** A page of a one-to-one chat, oldest first; by partner, or by chatId. */
  async getChatHistory(partner: string | null, chatId?: string | null, options: HistoryOptions = {})
    : Promise<HistoryPage<PrivateMessage> & { chatId: string }> {
    const frame: ClientFrame = { type: 'GET_ONE_TO_ONE_HISTORY', ...pick(options) };
    if (partner) frame.to = partner;
    if (chatId) frame.chatId = chatId;
    const page = await this.request<ChatHistoryFrame>(frame);
    this.noteHistory('c:' + page.chatId, { chatId: page.chatId }, page.messages as ChatMessage[], options);
    return { chatId: page.chatId, messages: page.messages as PrivateMessage[], hasMore: Boolean(page.hasMore) };
  }

  /** A page of a group's history, oldest first. */
  async getGroupHistory(groupId: string, options: HistoryOptions = {})
    : Promise<HistoryPage<GroupMessage> & { groupId: string }> {
    const page = await this.request<GroupHistoryFrame>({ type: 'GET_GROUP_CHAT_HISTORY', groupId, ...pick(options) });
    this.noteHistory('g:' + page.groupId, { groupId: page.groupId }, page.messages as ChatMessage[], options);
    return { groupId: page.groupId, messages: page.messages as GroupMessage[], hasMore: Boolean(page.hasMore) };
  }

  /** Joins a group (an unknown id creates it, with the optional name). */
  joinGroup(groupId: string, name?: string): Promise<GroupAnswer> {
    const frame: ClientFrame = { type: 'JOIN_GROUP', groupId };
    if (name) frame.name = name;
    return this.request<GroupAnswer>(frame);
  }

  /** Leaves a group; its messages are no longer caught up. */
  async leaveGroup(groupId: string): Promise<GroupAnswer> {
    const answer = await this.request<GroupAnswer>({ type: 'LEAVE_GROUP', groupId });
    this.conversations.delete('g:' + groupId);
    return answer;
  }

  // ---- extensions --------------------------------------------------------------------------------------

  /** (`read`) Moves my read position in a conversation forward to messageId; resolves with the position and unread. */
  markRead(conversation: ConversationRef, messageId: string): Promise<ReadAnswer> {
    return this.request<ReadAnswer>({ type: 'MARK_READ', ...ref(conversation), messageId });
  }

  /**
   * (`typing`) Tells the others I am typing (true; repeat it every second or so while typing, the server absorbs
   * repeats) or stopped (false). Not queued while offline: answers whether it went out.
   */
  setTyping(conversation: ConversationRef, typing: boolean): boolean {
    return this.send({ type: 'TYPING', ...ref(conversation), typing });
  }

  /** (`read`) A page of my conversations, most recently active first, with unread counts; `next` pages on. */
  async getInbox(options: InboxOptions = {}): Promise<InboxFrame> {
    const frame: ClientFrame = { type: 'GET_INBOX' };
    if (options.limit !== undefined) frame.limit = options.limit;
    if (options.cursor) frame.cursor = options.cursor;
    const inbox = await this.request<InboxFrame>(frame);
    // the app builds its state from this answer: a first catch-up point when none is known yet
    if (this.token === null && typeof inbox.syncToken === 'string' && this.features.includes('sync')) {
      this.setToken(inbox.syncToken);
    }
    return inbox;
  }

  /** (`edit`) Replaces the text of one of my messages; resolves once stored, with `editedAt`. */
  editMessage(messageId: string, content: string): Promise<EditedAnswer> {
    return this.request<EditedAnswer>({ type: 'EDIT_MESSAGE', messageId, content });
  }

  /** (`edit`) Deletes one of my messages (or, as a group's owner, any message of the group). Safe to repeat. */
  deleteMessage(messageId: string): Promise<DeletedAnswer> {
    return this.request<DeletedAnswer>({ type: 'DELETE_MESSAGE', messageId });
  }

  /**
   * (`sync`) One page of the events after `since` (none: no events, and `next` marks now). The events are
   * returned, not handed to the callbacks; the library's own catch-up does that (see catchUpNow()).
   */
  sync(since?: string | null, options: SyncOptions = {}): Promise<SyncFrame> {
    const frame: ClientFrame = { type: 'SYNC' };
    if (since) frame.since = since;
    if (options.limit !== undefined) frame.limit = options.limit;
    return this.request<SyncFrame>(frame);
  }

  /** (`sync`) Every event after `since`: sync() again with `next` while `hasMore`. */
  async syncAll(since: string | null, options: SyncOptions = {}): Promise<SyncResult> {
    const events: SyncEvent[] = [];
    let next = since;
    for (;;) {
      const page = await this.sync(next, options);
      events.push(...(page.events ?? []));
      next = page.next;
      if (!page.hasMore) return { events, next: page.next };
    }
  }

  /**
   * (`sync`) Catches up now from `syncToken` (done by itself after every reconnect): the events reach the
   * callbacks once each, in order, then 'caughtUp'. Resolves when done (rejects when not possible).
   */
  async catchUpNow(): Promise<void> {
    if (!this.features.includes('sync')) throw new ChatPresenceError('INVALID', 'the sync feature is not enabled');
    if (this.token === null) await this.takeToken();
    else await this.syncCatchUp();
  }

  /** Blocks a user (REST `POST /api/blocks`): no one-to-one messages either way, no presence, typing, receipts. */
  async block(username: string): Promise<void> {
    await this.rest.call<void>('POST', '/blocks', { username });
  }

  /** Unblocks a user (REST `DELETE /api/blocks/{username}`). */
  async unblock(username: string): Promise<void> {
    await this.rest.call<void>('DELETE', `/blocks/${encodeURIComponent(username)}`);
  }

  /** The users I block (REST `GET /api/blocks`). */
  listBlocks(): Promise<BlockEntry[]> {
    return this.rest.call<BlockEntry[]>('GET', '/blocks');
  }

  /**
   * Any request frame (the extensions' too: MARK_READ, EDIT_MESSAGE, GET_INBOX, SYNC ...), with a clientMsgId
   * added: resolves with the answer that echoes it (SUCCESS, history, INBOX, SYNC), rejects with an Error whose
   * `code` is the ERROR's. Kept in the outbox while offline and sent (again) once the socket is back.
   */
  request<T = ServerFrame>(frame: ClientFrame): Promise<T> {
    return this.enqueue<T>(frame, true);
  }

  /** Requests not answered yet (sent or waiting for the socket), oldest first. */
  get pending(): ClientFrame[] {
    return [...this.outbox.values()].filter((p) => p.resend).map((p) => p.frame);
  }

  // ---- outbox ------------------------------------------------------------------------------------------

  private enqueue<T>(frame: ClientFrame, resend: boolean): Promise<T> {
    const id = typeof frame.clientMsgId === 'string' && frame.clientMsgId ? frame.clientMsgId : newId();
    const sending: ClientFrame = { ...frame, clientMsgId: id };
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = { id, frame: sending, resolve, reject, resend, sent: 0, retries: 0, waiting: false,
        timer: null };
      const timeout = this.chatOptions.requestTimeoutMs ?? 0;
      if (timeout > 0) {
        pending.timer = this.clock.setTimeout(() => {
          if (this.outbox.get(id) !== pending) return;
          this.outbox.delete(id);
          reject(new ChatPresenceError('TIMEOUT', `no answer within ${timeout} ms`));
        }, timeout);
      }
      this.outbox.set(id, pending);
      if (this.isOpen) this.transmit(pending);
    });
  }

  private transmit(pending: Pending): void {
    pending.waiting = true;
    pending.sent += 1;
    this.send(pending.frame);
  }

  private settle(pending: Pending, frame: ServerFrame): void {
    this.outbox.delete(pending.id);
    if (pending.timer !== null) this.clock.clearTimeout(pending.timer);
    if (frame.type === 'ERROR') {
      pending.reject(new ChatPresenceError(frame.code, frame.msg, frame));
    } else {
      pending.resolve(frame);
    }
  }

  private answered(pending: Pending, frame: ServerFrame): void {
    if (frame.type === 'ERROR') {
      const error = frame as ErrorFrame;
      if (RETRYABLE.has(error.code) && pending.retries < MAX_RETRIES) {
        // nothing was done: the same frame (same clientMsgId) again, a little later
        pending.retries += 1;
        pending.waiting = false;
        this.clock.setTimeout(() => {
          if (this.outbox.get(pending.id) === pending && !pending.waiting && this.isOpen) this.transmit(pending);
        }, RETRY_DELAY_MS * pending.retries);
        return;
      }
      if (error.code === 'FORBIDDEN' && pending.frame.type === 'LEAVE_GROUP' && pending.sent > 1) {
        // the first LEAVE_GROUP was applied before its answer was lost: the group is left
        this.settle(pending, { type: 'SUCCESS', msg: 'left', groupId: pending.frame.groupId, clientMsgId: pending.id });
        return;
      }
    } else {
      this.noteSent(pending, frame);
    }
    this.settle(pending, frame);
  }

  /** A message of ours stored: its id is known (never delivered to the callbacks), its conversation too. */
  private noteSent(pending: Pending, frame: ServerFrame): void {
    if (frame.type !== 'SUCCESS' || frame.msg !== 'sent') return;
    const sent = frame as SentFrame;
    const conv = sent.chatId ? this.conversation('c:' + sent.chatId, { chatId: sent.chatId })
      : sent.groupId ? this.conversation('g:' + sent.groupId, { groupId: sent.groupId }) : null;
    if (!conv || typeof sent.messageId !== 'string') return;
    this.remember(conv, sent.messageId);
    if (conv.cursor === null) conv.cursor = sent.messageId;
    void pending;
  }

  // ---- connection events ---------------------------------------------------------------------------------

  protected authenticatedNow(event: OpenEvent): void {
    if (this.features.includes('sync') && this.chatOptions.catchUp !== false) {
      // one SYNC since the token (asked before the outbox goes out), or a first token now
      const catching = this.token !== null ? this.syncCatchUp() : this.takeToken();
      catching.catch(() => { /* dropped again, or a fallback ran: nothing to do here */ });
      for (const pending of this.outbox.values()) {
        if (!pending.waiting) this.transmit(pending);
      }
      return;
    }
    // the cursors are taken before anything is sent: our own resent messages get newer ids than the missed ones
    const cursors = event.reconnect && this.chatOptions.catchUp !== false ? this.cursors() : null;
    for (const pending of this.outbox.values()) {
      if (!pending.waiting) this.transmit(pending);
    }
    if (cursors && cursors.size > 0) void this.catchUp(cursors);
  }

  protected dropped(): void {
    this.catchUpRun += 1;
    this.syncHeld = null; // replayed by the next SYNC from the same token
    for (const conv of this.conversations.values()) conv.held = null; // fetched again by the next catch-up
    for (const pending of [...this.outbox.values()]) {
      pending.waiting = false;
      if (!pending.resend) this.settle(pending, errorFrame('DISCONNECTED', 'the connection was lost', pending.id));
    }
  }

  protected stopped(error: ChatPresenceError): void {
    this.catchUpRun += 1;
    for (const pending of [...this.outbox.values()]) {
      this.outbox.delete(pending.id);
      if (pending.timer !== null) this.clock.clearTimeout(pending.timer);
      pending.reject(new ChatPresenceError(error.code, error.message, error.frame));
    }
  }

  protected received(frame: ServerFrame): void {
    const id = (frame as { clientMsgId?: unknown }).clientMsgId;
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
        if (typeof frame.chatId === 'string') this.live(this.conversation('c:' + frame.chatId, { chatId: frame.chatId }), frame);
        return;
      case 'GROUP_CHAT':
        if (typeof frame.groupId === 'string') this.live(this.conversation('g:' + frame.groupId, { groupId: frame.groupId }), frame);
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
  private dispatch(frame: ServerFrame): void {
    switch (frame.type) {
      case 'INFO': call(this.onInfo, frame); break;
      case 'MESSAGE_EDITED': call(this.onMessageEdited, frame); break;
      case 'MESSAGE_DELETED': call(this.onMessageDeleted, frame); break;
      case 'READ': call(this.onRead, frame); break;
      default: break;
    }
    this.events.emit(frame.type, frame);
  }

  /** A live event since the token: the next SYNC replays it, and must skip it. */
  private noteLive(frame: ServerFrame): void {
    if (this.token === null || !this.features.includes('sync')) return;
    const key = eventKey(frame);
    if (key) add(this.sinceToken, key);
    if (this.sinceToken.size > COMPACT_AFTER && this.isOpen) {
      this.syncCatchUp().catch(() => { /* the next reconnect catches up */ });
    }
  }

  // ---- SYNC catch-up ------------------------------------------------------------------------------------

  private setToken(token: string | null): void {
    if (token === this.token) return;
    this.token = token;
    this.events.emit('syncToken', token);
  }

  /** No token yet: SYNC without `since` marks now. */
  private async takeToken(): Promise<void> {
    const page = await this.enqueue<SyncFrame>({ type: 'SYNC' }, false);
    if (this.token === null && typeof page.next === 'string') {
      this.sinceToken.clear();
      this.setToken(page.next);
    }
  }

  private live(conv: Conversation, message: ChatMessage): void {
    if (this.syncHeld) this.syncHeld.push(message);
    else if (conv.held) conv.held.push(message);
    else this.deliver(conv, message);
  }

  private async syncCatchUp(): Promise<void> {
    if (this.syncHeld) return; // one runs already
    const run = ++this.catchUpRun;
    this.syncHeld = [];
    const replayed = new Map<string, number>();
    const touched = new Set<string>();
    let since = this.token;
    let delivered = 0;
    let events = 0;
    try {
      for (;;) {
        const frame: ClientFrame = { type: 'SYNC', limit: this.chatOptions.syncPageSize ?? 500 };
        if (since) frame.since = since;
        const page = await this.enqueue<SyncFrame>(frame, false);
        if (run !== this.catchUpRun) return;
        for (const event of page.events ?? []) {
          const handed = this.replay(event as ServerFrame, replayed, touched);
          if (handed) events += 1;
          if (handed && isMessage(event as ServerFrame)) delivered += 1;
        }
        since = page.next;
        if (!page.hasMore || !(page.events?.length)) break;
      }
    } catch (error) {
      if (run !== this.catchUpRun) {
        // dropped: what was replayed counts as handed over since the token, for the next try
        for (const [key, n] of replayed) for (let i = 0; i < n; i++) add(this.sinceToken, key);
        throw error;
      }
      const held = this.syncHeld ?? [];
      this.syncHeld = null;
      if ((error as ChatPresenceError)?.code !== 'INVALID') {
        // a failure of this try (a time-out, the server unavailable): the token stays, the next reconnect
        // tries again; what was handed over meanwhile is not handed over again then
        for (const [key, n] of replayed) for (let i = 0; i < n; i++) add(this.sinceToken, key);
        for (const frame of held) this.handLive(frame);
        throw error;
      }
      // the server refused the token (not one of ours): hand over what waits, start again from now, and fetch
      // the messages of the conversations we know with history `after` (edits and deletions meanwhile are lost)
      for (const frame of held) this.handLive(frame);
      this.sinceToken.clear();
      this.setToken(null);
      const cursors = this.cursors();
      await this.takeToken();
      if (cursors.size > 0) void this.catchUp(cursors);
      throw error;
    }
    const held = this.syncHeld ?? [];
    this.syncHeld = null;
    this.sinceToken = new Map();
    this.setToken(since);
    // live events that arrived meanwhile: the ones the SYNC had already handed over are dropped
    for (const frame of held) {
      const key = isMessage(frame) ? null : eventKey(frame);
      if (key && take(replayed, key)) continue;
      this.handLive(frame);
    }
    const done: CaughtUpEvent = { conversations: touched.size, messages: delivered, events, via: 'sync' };
    this.events.emit('caughtUp', done);
  }

  /** A held live frame, handed over now. */
  private handLive(frame: ServerFrame): void {
    if (frame.type === 'ONE_TO_ONE_CHAT' || frame.type === 'GROUP_CHAT') {
      const conv = this.conversationOf(frame);
      if (conv) this.deliver(conv, frame);
      return;
    }
    this.noteLive(frame);
    this.dispatch(frame);
  }

  /** An event of a SYNC page: handed over unless it already was (live before the drop, or by history). */
  private replay(event: ServerFrame, replayed: Map<string, number>, touched: Set<string>): boolean {
    const conv = this.conversationOf(event);
    if (conv) touched.add(conv.key);
    if (isMessage(event)) return conv ? this.deliver(conv, event as ChatMessage) : false;
    const key = eventKey(event);
    if (key === null) return false;
    if (take(this.sinceToken, key)) return false;
    add(replayed, key);
    this.dispatch(event);
    return true;
  }

  private conversationOf(frame: ServerFrame): Conversation | null {
    const f = frame as { chatId?: unknown; groupId?: unknown };
    if (typeof f.chatId === 'string') return this.conversation('c:' + f.chatId, { chatId: f.chatId });
    if (typeof f.groupId === 'string') return this.conversation('g:' + f.groupId, { groupId: f.groupId });
    return null;
  }

  // ---- delivery, dedupe, catch-up ---------------------------------------------------------------------

  private conversation(key: string, ids: { chatId?: string; groupId?: string }): Conversation {
    let conv = this.conversations.get(key);
    if (!conv) {
      conv = { key, ...ids, cursor: null, seen: new Set(), held: null };
      this.conversations.set(key, conv);
    }
    return conv;
  }

  /** To the callbacks and listeners, once per messageId. */
  private deliver(conv: Conversation, message: ChatMessage): boolean {
    if (typeof message.messageId !== 'string' || conv.seen.has(message.messageId)) return false;
    this.remember(conv, message.messageId);
    if (newer(conv.cursor, message.messageId)) conv.cursor = message.messageId;
    if (message.type === 'ONE_TO_ONE_CHAT') call(this.onPrivateMessage, message);
    else call(this.onGroupMessage, message);
    this.events.emit(message.type, message);
    return true;
  }

  private remember(conv: Conversation, messageId: string): void {
    conv.seen.add(messageId);
    const window = this.chatOptions.dedupeWindow ?? 1000;
    if (conv.seen.size > window) {
      // a Set iterates in insertion order: drop the oldest
      const oldest = conv.seen.values().next().value as string;
      conv.seen.delete(oldest);
    }
  }

  /** A page the app fetched: its messages count as known (no second delivery), and it advances the cursor. */
  private noteHistory(key: string, ids: { chatId?: string; groupId?: string }, messages: ChatMessage[],
    options: HistoryOptions): void {
    if (!messages?.length || (!ids.chatId && !ids.groupId)) return;
    const conv = this.conversation(key, ids);
    for (const m of messages) {
      if (typeof m.messageId !== 'string') continue;
      this.remember(conv, m.messageId);
      if (!options.before && newer(conv.cursor, m.messageId)) conv.cursor = m.messageId;
    }
    if (options.before && conv.cursor === null) conv.cursor = messages[messages.length - 1].messageId;
  }

  private cursors(): Map<string, string> {
    const cursors = new Map<string, string>();
    for (const conv of this.conversations.values()) if (conv.cursor) cursors.set(conv.key, conv.cursor);
    return cursors;
  }

  private async catchUp(cursors: Map<string, string>): Promise<void> {
    const run = ++this.catchUpRun;
    const size = this.chatOptions.catchUpPageSize ?? 200;
    const convs: Conversation[] = [];
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
      let after = cursors.get(conv.key) as string;
      try {
        for (;;) {
          const frame: ClientFrame = conv.chatId
            ? { type: 'GET_ONE_TO_ONE_HISTORY', chatId: conv.chatId, after, limit: size }
            : { type: 'GET_GROUP_CHAT_HISTORY', groupId: conv.groupId, after, limit: size };
          const page = await this.enqueue<ChatHistoryFrame | GroupHistoryFrame>(frame, false);
          if (run !== this.catchUpRun) return;
          for (const m of page.messages as ChatMessage[]) if (this.deliver(conv, m)) delivered += 1;
          if (!page.hasMore || page.messages.length === 0) break;
          after = page.messages[page.messages.length - 1].messageId;
        }
      } catch (error) {
        if (run !== this.catchUpRun) return; // dropped again: the next reconnect starts over
        const code = (error as ChatPresenceError).code;
        if (code === 'FORBIDDEN' || code === 'NOT_FOUND') {
          this.conversations.delete(conv.key); // left the group, or the conversation is gone
          continue;
        }
      }
      const held = conv.held ?? [];
      conv.held = null;
      for (const m of held) this.deliver(conv, m);
    }
    if (run === this.catchUpRun) {
      const done: CaughtUpEvent = { conversations: convs.length, messages: delivered, via: 'history' };
      this.events.emit('caughtUp', done);
    }
  }
}

function pick(options: HistoryOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (options.limit !== undefined) out.limit = options.limit;
  if (options.before !== undefined) out.before = options.before;
  if (options.after !== undefined) out.after = options.after;
  return out;
}

function ref(conversation: ConversationRef): Record<string, string> {
  if (conversation && typeof conversation.chatId === 'string') return { chatId: conversation.chatId };
  if (conversation && typeof conversation.groupId === 'string') return { groupId: conversation.groupId };
  throw new TypeError('a conversation is {chatId} or {groupId}');
}

function isMessage(frame: ServerFrame): boolean {
  return frame.type === 'ONE_TO_ONE_CHAT' || frame.type === 'GROUP_CHAT';
}

/** What identifies an event other than a message, to skip its replay once. */
function eventKey(frame: ServerFrame): string | null {
  const f = frame as Record<string, unknown>;
  const conv = `${f.chatId ?? ''}/${f.groupId ?? ''}`;
  switch (frame.type) {
    case 'MESSAGE_EDITED': return `E|${f.messageId}|${f.editedAt}`;
    case 'MESSAGE_DELETED': return `D|${f.messageId}`;
    case 'READ': return `R|${conv}|${f.username}|${f.messageId}`;
    case 'INFO': return `I|${conv}|${f.username}|${f.event}`;
    default: return null;
  }
}

function add(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function take(counts: Map<string, number>, key: string): boolean {
  const n = counts.get(key) ?? 0;
  if (n <= 0) return false;
  if (n === 1) counts.delete(key);
  else counts.set(key, n - 1);
  return true;
}

function errorFrame(code: string, msg: string, clientMsgId: string): ErrorFrame {
  return { type: 'ERROR', code, msg, clientMsgId };
}

export type { SuccessFrame };
