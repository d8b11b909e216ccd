// The chat server's client: sends and requests as Promises settled by the server's answers (matched by
// clientMsgId), an outbox that survives drops (a send is resent with the same clientMsgId, which the server
// stores once: exactly once), and after a reconnect the messages that arrived meanwhile, fetched with history
// `after` per known conversation and handed to the callbacks once each, in order.

import { ChatPresenceError, Connection, type ConnectionOptions, type OpenEvent } from './connection.js';
import { call } from './emitter.js';
import type {
  ChatHistoryFrame, ChatMessage, ClientFrame, ErrorFrame, GroupAnswer, GroupHistoryFrame, GroupMessage,
  HistoryOptions, HistoryPage, InfoFrame, PrivateMessage, ServerFrame, SentFrame, SuccessFrame,
} from './frames.js';

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
}

export interface CaughtUpEvent {
  /** Conversations fetched. */
  conversations: number;
  /** Messages handed to the callbacks by the catch-up. */
  messages: number;
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

  private readonly outbox = new Map<string, Pending>();
  private readonly conversations = new Map<string, Conversation>();
  private readonly chatOptions: ChatClientOptions;
  private catchUpRun = 0;

  constructor(options: ChatClientOptions) {
    super(options);
    this.chatOptions = options;
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
    // the cursors are taken before anything is sent: our own resent messages get newer ids than the missed ones
    const cursors = event.reconnect && this.chatOptions.catchUp !== false ? this.cursors() : null;
    for (const pending of this.outbox.values()) {
      if (!pending.waiting) this.transmit(pending);
    }
    if (cursors && cursors.size > 0) void this.catchUp(cursors);
  }

  protected dropped(): void {
    this.catchUpRun += 1;
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
        call(this.onInfo, frame);
        break;
      default:
        break;
    }
    this.events.emit(frame.type, frame);
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

  private live(conv: Conversation, message: ChatMessage): void {
    if (conv.held) conv.held.push(message);
    else this.deliver(conv, message);
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
      this.events.emit('caughtUp', { conversations: convs.length, messages: delivered } satisfies CaughtUpEvent);
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

function errorFrame(code: string, msg: string, clientMsgId: string): ErrorFrame {
  return { type: 'ERROR', code, msg, clientMsgId };
}

export type { SuccessFrame };
