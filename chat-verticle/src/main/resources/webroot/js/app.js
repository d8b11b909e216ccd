// The web client: log in, contacts with presence, one-to-one chats and groups, live messages, history.
// Protocol: docs/protocol.md. Every socket goes through @chatpresence/client (session.js): reconnect, outbox,
// pacing, and the catch-up of missed messages, which arrive through the same callbacks as live ones.
// With the server's extensions: unread counts, order and read positions from the inbox (GET_INBOX) and READ,
// MARK_READ while a conversation is open and visible, "Seen" receipts, "… is typing", edit and delete, the
// catch-up by SYNC (the library's), and blocking (REST).
import { Api, ApiError } from './api.js';
import { loadConfig } from './config.js';
import { ChatSession, PresenceSession } from './session.js';
import { $, el, presenceDot, replaceChildren, showMessage, timeElement } from './dom.js';
import { reconcile } from './reconcile.js';

// The client document keeps these two in localStorage under these names.
const TOKEN_KEY = 'authToken';
const USERNAME_KEY = 'username';
const NEAR_EDGE_PX = 48;

const state = {
  config: null,
  api: new Api(),
  me: null,
  chatConn: null,
  presenceConn: null,
  chat: null,
  /** key ('u:<username>' | 'g:<groupId>') -> conversation */
  convs: new Map(),
  currentKey: null,
  presenceKnown: false,
  listsLoaded: false, // the REST lists were fetched once this session
  session: 0, // counts logins and logouts: an answer that arrives after its session ended is dropped
  infoSeq: 0,
  orderSeq: 0, // conversations are ordered by `order`: the inbox's order, then a bump per new message
  typingSent: null, // {key, ref, at}: the conversation we told the server we type in
  editing: null, // {convKey, messageId}: the composer edits this message
  confirmingDelete: null, // the messageId whose Delete asks "Delete this message?" 
  blocked: new Set(), // usernames I block
  blocksAvailable: false, // GET /api/blocks answered: the server has blocking
};

const TYPING_REPEAT_MS = 1500; // the server forwards at most one typing:true per 2 s and ends it 6 s after the last
const TYPING_SHOWN_MS = 8000; // a TYPING true not followed by anything is hidden after this (the server ends it at 6 s)

const narrow = window.matchMedia('(max-width: 720px)');

// ---- conversations -------------------------------------------------------------------------------

function newConv(kind, id) {
  return {
    key: (kind === 'user' ? 'u:' : 'g:') + id,
    kind,
    peer: kind === 'user' ? id : null, // user: the other person
    groupId: kind === 'group' ? id : null,
    chatId: null,
    name: id,
    owner: null,
    memberCount: null,
    status: state.presenceKnown ? 'offline' : 'unknown', // user: presence
    messages: new Map(), // messageId -> {messageId, from, content, timestamp, localKey}
    infos: [], // group INFO lines: {key, text, timestamp, sortAfter}
    lastMessage: null, // newest known message (from history, live, or the inbox)
    unread: 0,
    order: 0, // most recently active first: the inbox's order, bumped by new messages
    readMessageId: null, // my read position (the server's)
    partnerReadMessageId: null, // one-to-one: the partner's read position ("Seen")
    marking: null, // the messageId a MARK_READ is on its way for
    countedId: null, // `unread` counts the messages up to this one (the inbox's last): newer ones add to it
    typing: new Map(), // username -> timer: who is typing here
    loaded: false, // the newest page has been fetched
    loading: false,
    loadError: null,
    hasMoreBefore: false,
    loadingOlder: false,
    olderError: null,
  };
}

function userConv(username) {
  const key = 'u:' + username;
  let conv = state.convs.get(key);
  if (!conv) {
    conv = newConv('user', username);
    state.convs.set(key, conv);
  }
  return conv;
}

function groupConv(groupId) {
  const key = 'g:' + groupId;
  let conv = state.convs.get(key);
  if (!conv) {
    conv = newConv('group', groupId);
    state.convs.set(key, conv);
  }
  return conv;
}

const current = () => (state.currentKey ? state.convs.get(state.currentKey) : null);

/** msg_<n> -> n (message ids increase within a conversation). */
function seqOf(messageId) {
  const n = Number.parseInt(String(messageId).replace(/^\D+/, ''), 10);
  return Number.isFinite(n) ? n : 0;
}

function sortedMessages(conv) {
  return [...conv.messages.values()].sort((a, b) => seqOf(a.messageId) - seqOf(b.messageId));
}

function newestSeq(conv) {
  let max = 0;
  for (const id of conv.messages.keys()) max = Math.max(max, seqOf(id));
  return max;
}

function toMessage(frame, localKey = null) {
  return { messageId: frame.messageId, from: frame.from, content: frame.deleted ? '' : String(frame.content ?? ''),
    timestamp: frame.timestamp, localKey, editedAt: frame.editedAt ?? null, deleted: Boolean(frame.deleted) };
}

/** The later of two messageIds of one conversation (either may be null). */
function laterId(a, b) {
  if (!a) return b ?? null;
  if (!b) return a;
  return seqOf(b) > seqOf(a) ? b : a;
}

/** {chatId} or {groupId}: how the extension frames name a conversation (null: a chat not created yet). */
function refOf(conv) {
  if (conv.kind === 'group') return { groupId: conv.groupId };
  return conv.chatId ? { chatId: conv.chatId } : null;
}

/** The conversation an extension frame (READ, TYPING, MESSAGE_EDITED, ...) is about, if we know it. */
function convOfFrame(frame) {
  if (frame.groupId) return state.convs.get('g:' + frame.groupId) ?? null;
  if (frame.chatId) {
    for (const conv of state.convs.values()) if (conv.kind === 'user' && conv.chatId === frame.chatId) return conv;
  }
  return null;
}

function bump(conv) {
  state.orderSeq += 1;
  conv.order = state.orderSeq;
}

function noteLast(conv, message) {
  if (message && (!conv.lastMessage || seqOf(message.messageId) > seqOf(conv.lastMessage.messageId))) {
    conv.lastMessage = message;
  }
}

/** Adds messages once each (by messageId); answers how many new ones came from someone else. */
function addMessages(conv, messages) {
  let fromOthers = 0;
  for (const m of messages) {
    const existing = conv.messages.get(m.messageId);
    if (existing) {
      if (!existing.localKey && m.localKey) existing.localKey = m.localKey;
      // a page fetched again shows the current text: edited or deleted meanwhile
      if (m.deleted && !existing.deleted) Object.assign(existing, { deleted: true, content: '' });
      else if (m.editedAt && m.editedAt !== existing.editedAt && !existing.deleted) {
        Object.assign(existing, { content: m.content, editedAt: m.editedAt });
      }
      continue;
    }
    conv.messages.set(m.messageId, m);
    noteLast(conv, m);
    if (m.from !== state.me) fromOthers += 1;
  }
  return fromOthers;
}

function isVisible(conv) {
  return conv.key === state.currentKey && document.visibilityState === 'visible'
    && !(narrow.matches && document.body.dataset.pane !== 'conversation');
}

/** A page of history through the library, which then knows the conversation and catches it up after a drop. */
async function fetchPage(conv, cursor) {
  const client = state.chat.client;
  const page = conv.kind === 'user'
    ? await client.getChatHistory(conv.peer, conv.chatId, cursor)
    : await client.getGroupHistory(conv.groupId, cursor);
  if (page.chatId && conv.kind === 'user') conv.chatId = page.chatId;
  return { messages: (page.messages || []).map((m) => toMessage(m)), hasMore: Boolean(page.hasMore) };
}

/** The newest page of a conversation (when it is opened). */
async function loadLatest(conv) {
  if (conv.loading) return;
  conv.loading = true;
  conv.loadError = null;
  renderConversation({ stickToBottom: true });
  try {
    const page = await fetchPage(conv, { limit: state.config.pageSize });
    addMessages(conv, page.messages);
    conv.hasMoreBefore = page.hasMore;
    conv.loaded = true;
    for (const info of conv.infos) if (info.sortAfter === null) info.sortAfter = newestSeq(conv) + 0.5;
    markRead(conv);
  } catch (error) {
    conv.loadError = error.message;
  } finally {
    conv.loading = false;
  }
  renderSidebar();
  if (conv.key === state.currentKey) {
    renderConversation({ stickToBottom: true });
    fillViewport(conv);
  }
}

/** While the messages do not fill the view there is nothing to scroll: fetch older pages until they do. */
function fillViewport(conv) {
  const box = $('#messages');
  if (conv.key === state.currentKey && conv.hasMoreBefore && !conv.olderError && box.clientHeight > 0
      && box.scrollHeight <= box.clientHeight + NEAR_EDGE_PX) {
    loadOlder(conv);
  }
}

/** Scroll-back: the page before the oldest message shown. */
async function loadOlder(conv) {
  if (conv.loadingOlder || !conv.hasMoreBefore || conv.messages.size === 0) return;
  conv.loadingOlder = true;
  conv.olderError = null;
  renderHistoryEdge(conv);
  const oldest = sortedMessages(conv)[0].messageId;
  let added = false;
  try {
    const page = await fetchPage(conv, { limit: state.config.pageSize, before: oldest });
    addMessages(conv, page.messages);
    conv.hasMoreBefore = page.hasMore;
    added = page.messages.length > 0;
  } catch (error) {
    conv.olderError = error.message;
  } finally {
    conv.loadingOlder = false;
  }
  if (conv.key !== state.currentKey) return;
  const box = $('#messages');
  const fromBottom = box.scrollHeight - box.scrollTop;
  box.setAttribute('aria-busy', 'true');
  renderConversation({ keepScroll: true });
  if (added) box.scrollTop = box.scrollHeight - fromBottom; // the message that was on top stays in place
  box.setAttribute('aria-busy', 'false');
  if (added) fillViewport(conv);
}

/** Every page of the inbox (chats and groups, most recently active first, with unread counts). */
async function loadInbox() {
  const conversations = [];
  let cursor = null;
  do {
    const page = await state.chat.client.getInbox({ limit: 200, cursor });
    conversations.push(...(page.conversations || []));
    cursor = page.next;
  } while (cursor);
  return conversations;
}

/**
 * The conversations from the inbox (order, last message, unread, read positions) and the groups' details from
 * REST (owner, members): on start, and after a reconnect once the catch-up is done.
 */
async function refreshLists() {
  const session = state.session;
  try {
    const [inbox, groups] = await Promise.all([loadInbox(), state.api.groups()]);
    if (session !== state.session) return;
    inbox.forEach((c, i) => {
      let conv;
      if (c.chatId) {
        if (!c.with) return;
        conv = userConv(c.with);
        conv.chatId = c.chatId;
        conv.partnerReadMessageId = laterId(conv.partnerReadMessageId, c.partnerReadMessageId ?? null);
      } else if (c.groupId) {
        conv = groupConv(c.groupId);
        if (c.name) conv.name = c.name;
      } else {
        return;
      }
      conv.order = inbox.length - i;
      if (c.lastMessage) noteLast(conv, toMessage(c.lastMessage));
      if (c.lastMessage) conv.countedId = laterId(conv.countedId, c.lastMessage.messageId);
      conv.readMessageId = laterId(conv.readMessageId, c.readMessageId ?? null);
      conv.unread = isVisible(conv) ? 0 : Number(c.unread) || 0;
    });
    const inInbox = new Set(inbox.map((c) => (c.chatId ? 'u:' + c.with : 'g:' + c.groupId)));
    for (const conv of state.convs.values()) if (!inInbox.has(conv.key)) conv.order = 0;
    state.orderSeq = inbox.length;
    const inGroups = new Set();
    for (const g of groups) {
      inGroups.add(g.groupId);
      const conv = groupConv(g.groupId);
      conv.name = g.name;
      conv.owner = g.owner;
      conv.memberCount = g.memberCount;
    }
    for (const conv of [...state.convs.values()]) {
      if (conv.kind === 'group' && !inGroups.has(conv.groupId)) removeConv(conv); // left in another tab
    }
    state.listsLoaded = true;
    showMessage($('#lists-error'), '');
  } catch (error) {
    if (session !== state.session) return;
    if (error instanceof ApiError && error.status === 401) {
      endSession('Your session has ended. Please log in again.');
      return;
    }
    if (error.code === 'DISCONNECTED') return; // asked again after the reconnect
    showMessage($('#lists-error'), `Could not load your chats and groups: ${error.message}`);
  }
  renderSidebar();
  renderConversation({});
  const conv = current();
  if (conv) markRead(conv);
}

/** Whom I block (REST); a server without blocking answers 404 and the page offers none. */
async function refreshBlocks() {
  const session = state.session;
  try {
    const list = await state.chat.client.listBlocks();
    if (session !== state.session) return;
    state.blocked = new Set((list || []).map((b) => b.username));
    state.blocksAvailable = true;
  } catch {
    state.blocksAvailable = false;
  }
  renderConversation({});
}

// ---- read state, typing ------------------------------------------------------------------------------

/** The open and visible conversation is read up to its newest message: tell the server (MARK_READ). */
function markRead(conv) {
  conv.unread = isVisible(conv) ? 0 : conv.unread;
  if (!state.chat?.isOpen || !state.chat.has('read') || !isVisible(conv) || !conv.lastMessage) return;
  const ref = refOf(conv);
  const newest = conv.lastMessage.messageId;
  if (!ref || laterId(conv.readMessageId, newest) === conv.readMessageId) return;
  if (conv.marking) return; // one at a time: when it is answered, the newest message then is marked
  conv.marking = newest;
  const session = state.session;
  state.chat.client.markRead(ref, newest).then((answer) => {
    if (session !== state.session) return;
    conv.readMessageId = laterId(conv.readMessageId, answer.messageId);
    if (!isVisible(conv) && typeof answer.unread === 'number') conv.unread = answer.unread;
    renderSidebar();
  }, () => { /* not marked: the next look tries again */ }).finally(() => {
    conv.marking = null;
    if (session === state.session && conv.lastMessage?.messageId !== newest) markRead(conv); // more came meanwhile
  });
}

function onRead(frame) {
  const conv = convOfFrame(frame);
  if (!conv || !frame.messageId) return;
  if (frame.username === state.me) {
    // read on another device of mine: the badge follows
    conv.readMessageId = laterId(conv.readMessageId, frame.messageId);
    if (typeof frame.unread === 'number') conv.unread = isVisible(conv) ? 0 : frame.unread;
  } else if (conv.kind === 'user' && frame.username === conv.peer) {
    conv.partnerReadMessageId = laterId(conv.partnerReadMessageId, frame.messageId);
  } else {
    return;
  }
  renderSidebar();
  if (conv.key === state.currentKey) renderConversation({ stickToBottom: true });
}

function onTyping(frame) {
  const conv = convOfFrame(frame);
  if (!conv || !frame.username || frame.username === state.me) return;
  clearTimeout(conv.typing.get(frame.username));
  if (frame.typing) {
    conv.typing.set(frame.username, setTimeout(() => {
      conv.typing.delete(frame.username);
      if (conv.key === state.currentKey) renderTyping(conv);
    }, TYPING_SHOWN_MS));
  } else {
    conv.typing.delete(frame.username);
  }
  if (conv.key === state.currentKey) renderTyping(conv);
}

/** While the user types in a conversation: typing:true, again every TYPING_REPEAT_MS while it goes on. */
function noteTyping() {
  const conv = current();
  const text = $('#composer-input').value;
  if (!conv || !text.trim() || state.editing || !state.chat?.has('typing')) {
    stopTyping();
    return;
  }
  const ref = refOf(conv);
  if (!ref) return;
  const now = Date.now();
  if (state.typingSent?.key === conv.key && now - state.typingSent.at < TYPING_REPEAT_MS) return;
  if (state.typingSent && state.typingSent.key !== conv.key) stopTyping();
  if (state.chat.client.setTyping(ref, true)) state.typingSent = { key: conv.key, ref, at: now };
}

/** Sent, left the box, or another conversation: typing:false. */
function stopTyping() {
  const sent = state.typingSent;
  state.typingSent = null;
  if (sent && state.chat?.isOpen) state.chat.client.setTyping(sent.ref, false);
}

// ---- edit, delete, block -------------------------------------------------------------------------------

function findMessage(conv, messageId) {
  return conv.messages.get(messageId) ?? (conv.lastMessage?.messageId === messageId ? conv.lastMessage : null);
}

function applyEdit(conv, messageId, content, editedAt) {
  for (const m of [conv.messages.get(messageId), conv.lastMessage?.messageId === messageId ? conv.lastMessage : null]) {
    if (m && !m.deleted) Object.assign(m, { content: String(content ?? ''), editedAt });
  }
}

function applyDelete(conv, messageId) {
  for (const m of [conv.messages.get(messageId), conv.lastMessage?.messageId === messageId ? conv.lastMessage : null]) {
    if (m) Object.assign(m, { deleted: true, content: '' });
  }
  if (state.editing?.messageId === messageId) cancelEditing();
}

function onEdited(frame) {
  const conv = convOfFrame(frame);
  if (!conv) return;
  applyEdit(conv, frame.messageId, frame.content, frame.editedAt);
  renderSidebar();
  if (conv.key === state.currentKey) renderConversation({});
}

function onDeleted(frame) {
  const conv = convOfFrame(frame);
  if (!conv) return;
  applyDelete(conv, frame.messageId);
  renderSidebar();
  if (conv.key === state.currentKey) renderConversation({});
}

function startEditing(conv, message) {
  state.editing = { convKey: conv.key, messageId: message.messageId };
  stopTyping();
  const input = $('#composer-input');
  input.value = message.content;
  autoGrow(input);
  renderConversation({});
  input.focus();
}

function cancelEditing() {
  if (!state.editing) return;
  state.editing = null;
  const input = $('#composer-input');
  input.value = '';
  autoGrow(input);
  renderConversation({});
}

async function saveEdit(conv, content) {
  const { messageId } = state.editing;
  const message = findMessage(conv, messageId);
  state.editing = null;
  if (message && message.content === content) return;
  try {
    const answer = await state.chat.client.editMessage(messageId, content);
    applyEdit(conv, messageId, content, answer.editedAt);
  } catch (error) {
    showMessage($('#conversation-error'), `Could not edit the message: ${error.message}${error.code ? ` (${error.code})` : ''}`);
  }
  renderSidebar();
  if (conv.key === state.currentKey) renderConversation({});
}

/** Delete asks first, in place: "Delete this message? Yes, delete / Keep it". */
function askDelete(message) {
  state.confirmingDelete = message.messageId;
  renderConversation({});
  document.querySelector(`#message-list li[data-message-id="${CSS.escape(message.messageId)}"] .confirm-delete`)?.focus();
}

async function deleteMessage(conv, message) {
  try {
    await state.chat.client.deleteMessage(message.messageId);
    applyDelete(conv, message.messageId);
  } catch (error) {
    showMessage($('#conversation-error'), `Could not delete the message: ${error.message}${error.code ? ` (${error.code})` : ''}`);
  }
  renderSidebar();
  if (conv.key === state.currentKey) renderConversation({});
}

async function onBlockToggle() {
  const conv = current();
  if (conv?.kind !== 'user') return;
  const button = $('#block-user');
  const blocking = !state.blocked.has(conv.peer);
  button.disabled = true;
  try {
    if (blocking) await state.chat.client.block(conv.peer);
    else await state.chat.client.unblock(conv.peer);
    if (blocking) state.blocked.add(conv.peer);
    else state.blocked.delete(conv.peer);
    showMessage($('#conversation-error'), '');
  } catch (error) {
    showMessage($('#conversation-error'), `Could not ${blocking ? 'block' : 'unblock'} ${conv.peer}: ${error.message}`);
  } finally {
    button.disabled = false;
  }
  renderConversation({});
}

function removeConv(conv) {
  state.convs.delete(conv.key);
  if (state.currentKey === conv.key) navigate(null);
}

// ---- sending ---------------------------------------------------------------------------------------

function sendMessage(conv, content) {
  stopTyping();
  const clientMsgId = state.chat.nextId('c');
  const frame = conv.kind === 'user'
    ? { type: 'ONE_TO_ONE_CHAT', from: state.me, to: conv.peer, content, clientMsgId }
    : { type: 'GROUP_CHAT', from: state.me, groupId: conv.groupId, content, clientMsgId };
  if (conv.kind === 'user' && conv.chatId) frame.chatId = conv.chatId;
  state.chat.sendMessage({ clientMsgId, convKey: conv.key, frame, content, createdAt: new Date().toISOString() });
  renderConversation({ stickToBottom: true, forceBottom: true });
}

function onSent(entry, success) {
  const conv = state.convs.get(entry.convKey);
  if (!conv) return;
  if (success.chatId && conv.kind === 'user') conv.chatId = success.chatId;
  addMessages(conv, [{ messageId: success.messageId, from: state.me, content: entry.content,
    timestamp: success.timestamp, localKey: entry.clientMsgId, editedAt: null, deleted: false }]);
  bump(conv);
  // sending moves my read position to my message
  conv.readMessageId = laterId(conv.readMessageId, success.messageId);
  renderSidebar();
  if (conv.key === state.currentKey) renderConversation({ stickToBottom: true });
}

function onFailed(entry) {
  if (entry.convKey === state.currentKey) renderConversation({});
}

function onLiveMessage(frame) {
  let conv;
  if (frame.type === 'ONE_TO_ONE_CHAT') {
    conv = userConv(frame.from === state.me ? frame.to : frame.from);
    if (frame.chatId) conv.chatId = frame.chatId;
  } else {
    if (!state.convs.has('g:' + frame.groupId)) refreshLists(); // joined in another tab: get its name
    conv = groupConv(frame.groupId);
  }
  const isNew = !conv.messages.has(frame.messageId);
  const fromOthers = addMessages(conv, [toMessage(frame)]);
  if (isNew) bump(conv);
  // counted once: not when the inbox (or a READ) already counted it, nor when it is read already
  if (fromOthers && !isVisible(conv) && laterId(conv.readMessageId, frame.messageId) !== conv.readMessageId
      && laterId(conv.countedId, frame.messageId) !== conv.countedId) {
    conv.unread += fromOthers;
  }
  conv.countedId = laterId(conv.countedId, frame.messageId);
  if (conv.typing.has(frame.from)) {
    clearTimeout(conv.typing.get(frame.from));
    conv.typing.delete(frame.from); // the server ends it too; the message may come first
  }
  if (frame.deleted) applyDelete(conv, frame.messageId);
  renderSidebar();
  if (conv.key === state.currentKey) renderConversation({ stickToBottom: true });
  markRead(conv);
}

function onInfo(frame) {
  if (!frame.groupId || (frame.event !== 'JOINED' && frame.event !== 'LEFT')) return;
  if (frame.username === state.me) {
    refreshLists(); // joined or left on another device
    return;
  }
  const conv = state.convs.get('g:' + frame.groupId);
  if (!conv) return;
  state.infoSeq += 1;
  // after the newest message we have; in a conversation not loaded yet, after the newest once it is
  conv.infos.push({ key: 'info-' + state.infoSeq, sortAfter: conv.loaded ? newestSeq(conv) + 0.5 : null,
    text: `${frame.username} ${frame.event === 'JOINED' ? 'joined' : 'left'} the group`,
    timestamp: new Date().toISOString() });
  if (conv.memberCount != null) conv.memberCount += frame.event === 'JOINED' ? 1 : -1;
  renderSidebar();
  if (conv.key === state.currentKey) renderConversation({ stickToBottom: true });
}

function onChatError(frame) {
  if (frame.code === 'AUTH_FAILED') return; // the close that follows ends the session
  const text = `${frame.msg || 'Something went wrong'}${frame.code ? ` (${frame.code})` : ''}`;
  showMessage($('#conversation-error'), text);
}

// ---- rendering: connection ---------------------------------------------------------------------------

function renderConnection() {
  const box = $('#connection');
  const text = $('#connection-text');
  const retry = $('#connection-retry');
  const chat = state.chatConn?.state.status ?? 'idle';
  const presence = state.presenceConn?.state.status ?? 'idle';
  let kind;
  let label;
  let canRetry = false;
  if (!state.chatConn) {
    kind = 'idle';
    label = '';
  } else if (chat === 'online' && presence === 'online') {
    kind = 'online';
    label = 'Connected';
  } else if (chat === 'offline') {
    const s = state.chatConn.state;
    kind = 'offline';
    label = `Offline: reconnecting (attempt ${s.attempt} of ${s.max})…`;
    canRetry = true;
  } else if (chat === 'failed') {
    kind = 'failed';
    label = 'Offline: could not reconnect to the chat server. Trying again every 10 s…';
    canRetry = true;
  } else if (chat === 'connecting') {
    kind = state.chatConn.everAuthenticated ? 'offline' : 'connecting';
    label = state.chatConn.everAuthenticated ? 'Offline: reconnecting…' : 'Connecting…';
  } else if (chat === 'online') {
    kind = 'degraded';
    label = presence === 'connecting' ? 'Connected; connecting to presence…' : 'Connected; online status unavailable, reconnecting…';
    canRetry = presence === 'failed' || presence === 'offline';
  } else {
    kind = 'idle';
    label = '';
  }
  box.dataset.state = kind;
  document.body.dataset.connection = kind;
  if (text.textContent !== label) text.textContent = label;
  retry.hidden = !canRetry;
}

// ---- rendering: sidebar ------------------------------------------------------------------------------

function previewText(conv) {
  const m = conv.lastMessage;
  if (!m) return conv.kind === 'group' && conv.memberCount != null
    ? `${conv.memberCount} member${conv.memberCount === 1 ? '' : 's'}` : '';
  if (m.deleted) return `${m.from === state.me ? 'You' : m.from}: message deleted`;
  return `${m.from === state.me ? 'You' : m.from}: ${m.content.replace(/\s+/g, ' ')}`;
}

/** As the inbox orders them (most recently active first), a conversation with a new message moving to the top. */
function byActivity(a, b) {
  return b.order - a.order || a.name.localeCompare(b.name);
}

function convButtonContent(conv) {
  const parts = [];
  if (conv.kind === 'user') parts.push(presenceDot(conv.status));
  else parts.push(el('span', { class: 'group-icon', attrs: { 'aria-hidden': 'true' }, text: '#' }));
  parts.push(el('span', { class: 'conv-text' },
    el('span', { class: 'conv-name', text: conv.name }),
    el('span', { class: 'conv-preview', text: previewText(conv) })));
  if (conv.unread > 0) {
    parts.push(el('span', { class: 'badge' },
      el('span', { attrs: { 'aria-hidden': 'true' }, text: String(conv.unread) }),
      el('span', { class: 'visually-hidden', text: `, ${conv.unread} unread` })));
  }
  return parts;
}

function renderConvList(list, convs) {
  reconcile(list, convs, (c) => c.key, (conv) => {
    const button = el('button', { type: 'button', class: 'conv-item',
      on: { click: () => navigate(button.dataset.key) } });
    button.dataset.key = conv.key;
    return el('li', {}, button);
  }, (li, conv) => {
    const button = li.firstChild;
    const sig = JSON.stringify([conv.name, conv.status, conv.unread, previewText(conv), conv.key === state.currentKey]);
    if (li.dataset.sig === sig) return;
    li.dataset.sig = sig;
    if (conv.kind === 'user') li.dataset.status = conv.status;
    replaceChildren(button, convButtonContent(conv));
    if (conv.key === state.currentKey) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
  });
}

function renderSidebar() {
  if (!state.me) return;
  const all = [...state.convs.values()];
  const contacts = all.filter((c) => c.kind === 'user').sort(byActivity);
  const groups = all.filter((c) => c.kind === 'group').sort(byActivity);
  renderConvList($('#contact-list'), contacts);
  renderConvList($('#group-list'), groups);
  $('#contacts-empty').hidden = contacts.length > 0;
  $('#groups-empty').hidden = groups.length > 0;
  const unread = all.reduce((n, c) => n + c.unread, 0);
  document.title = unread > 0 ? `(${unread}) Chat` : 'Chat';
  const conv = current();
  if (conv?.kind === 'user') renderSubtitle(conv);
}

// ---- rendering: the open conversation ------------------------------------------------------------------

function renderSubtitle(conv) {
  const sub = $('#conversation-subtitle');
  if (conv.kind === 'user') {
    replaceChildren(sub, presenceDot(conv.status),
      el('span', { attrs: { 'aria-hidden': 'true' }, text: conv.status === 'unknown' ? 'status unknown' : conv.status }));
  } else {
    replaceChildren(sub,
      conv.memberCount != null ? `${conv.memberCount} member${conv.memberCount === 1 ? '' : 's'} · ` : '',
      'id ', el('code', { class: 'group-id', text: conv.groupId }));
  }
}

function renderHistoryEdge(conv) {
  const edge = $('#history-edge');
  if (conv.loading && conv.messages.size === 0) {
    replaceChildren(edge, el('p', { class: 'hint', text: 'Loading messages…' }));
  } else if (conv.loadError) {
    replaceChildren(edge, el('p', { class: 'error', attrs: { role: 'alert' }, text: conv.loadError }),
      el('button', { type: 'button', class: 'link-button', text: 'Try again',
        on: { click: () => loadLatest(conv) } }));
  } else if (conv.olderError) {
    replaceChildren(edge, el('p', { class: 'error', attrs: { role: 'alert' },
      text: `Could not load older messages: ${conv.olderError}` }),
    el('button', { type: 'button', class: 'link-button', text: 'Try again', on: { click: () => loadOlder(conv) } }));
  } else if (conv.loadingOlder) {
    replaceChildren(edge, el('p', { class: 'hint', text: 'Loading older messages…' }));
  } else if (conv.hasMoreBefore) {
    replaceChildren(edge, el('button', { type: 'button', id: 'load-older', class: 'secondary small',
      text: 'Load older messages', on: { click: () => loadOlder(conv) } }));
  } else if (conv.loaded && conv.messages.size > 0) {
    replaceChildren(edge, el('p', { class: 'hint', text: 'This is the beginning of the conversation.' }));
  } else {
    replaceChildren(edge);
  }
}

function messageItems(conv) {
  const items = sortedMessages(conv).map((m) => ({ kind: 'message', key: m.localKey || m.messageId,
    sort: seqOf(m.messageId), message: m, status: 'sent' }));
  for (const info of conv.infos) {
    items.push({ kind: 'info', key: info.key, sort: info.sortAfter ?? Number.MAX_SAFE_INTEGER, info });
  }
  items.sort((a, b) => a.sort - b.sort);
  // "Seen" under my last message of a one-to-one chat once the partner's read position reached it
  if (conv.kind === 'user' && conv.partnerReadMessageId) {
    const lastMine = items.findLast((i) => i.kind === 'message' && i.message.from === state.me && !i.message.deleted);
    if (lastMine && seqOf(lastMine.message.messageId) <= seqOf(conv.partnerReadMessageId)) lastMine.seen = true;
  }
  for (const entry of state.chat.pendingFor(conv.key)) {
    items.push({ kind: 'message', key: entry.clientMsgId, status: entry.status, entry,
      message: { from: state.me, content: entry.content, timestamp: entry.createdAt } });
  }
  // a message right after one of the same author (within 5 minutes) shows without its header
  let previous = null;
  for (const item of items) {
    item.continued = item.kind === 'message' && previous?.kind === 'message'
      && previous.message.from === item.message.from
      && Math.abs(Date.parse(item.message.timestamp) - Date.parse(previous.message.timestamp)) < 5 * 60 * 1000;
    previous = item;
  }
  return items;
}

function messageContent(item) {
  if (item.kind === 'info') {
    return [el('span', { text: item.info.text }), ' ', timeElement(item.info.timestamp)];
  }
  const m = item.message;
  const mine = m.from === state.me;
  if (m.deleted) {
    return [
      el('div', { class: 'meta' },
        el('span', { class: 'author', text: mine ? 'You' : m.from }), ' ', timeElement(m.timestamp)),
      el('p', { class: 'tombstone', text: 'message deleted' }),
    ];
  }
  const parts = [
    el('div', { class: 'meta' },
      el('span', { class: 'author', text: mine ? 'You' : m.from }), ' ',
      timeElement(m.timestamp)),
    el('p', { class: 'content', text: m.content }),
    // under the text, so that a message shown without its header (continued) still says it
    m.editedAt ? el('p', { class: 'edited', title: `edited ${new Date(m.editedAt).toLocaleString()}`, text: '(edited)' }) : null,
  ].filter(Boolean);
  const conv = current();
  if (item.status === 'sent' && m.messageId && conv && state.chat.has('edit')) {
    const canDelete = mine || (conv.kind === 'group' && conv.owner === state.me);
    if (state.confirmingDelete === m.messageId) {
      parts.push(el('div', { class: 'actions' },
        el('span', { text: 'Delete this message?' }),
        el('button', { type: 'button', class: 'link-button confirm-delete', text: 'Yes, delete',
          on: { click: () => { state.confirmingDelete = null; deleteMessage(conv, m); } } }),
        el('button', { type: 'button', class: 'link-button', text: 'Keep it',
          on: { click: () => { state.confirmingDelete = null; renderConversation({}); } } })));
    } else if (mine || canDelete) {
      parts.push(el('div', { class: 'actions' },
        mine ? el('button', { type: 'button', class: 'link-button', text: 'Edit',
          attrs: { 'aria-label': 'Edit this message' }, on: { click: () => startEditing(conv, m) } }) : null,
        canDelete ? el('button', { type: 'button', class: 'link-button', text: 'Delete',
          attrs: { 'aria-label': mine ? 'Delete this message' : `Delete this message of ${m.from}` },
          on: { click: () => askDelete(m) } }) : null));
    }
  }
  if (item.seen) parts.push(el('p', { class: 'seen', text: 'Seen' }));
  if (item.status === 'pending') {
    const offline = !state.chatConn?.isOpen;
    parts.push(el('p', { class: 'status', text: offline ? 'Waiting for the connection…' : 'Sending…' }));
  } else if (item.status === 'failed') {
    const id = item.entry.clientMsgId;
    parts.push(el('p', { class: 'status error', attrs: { role: 'alert' } },
      `Not sent: ${item.entry.error?.msg || 'error'}${item.entry.error?.code ? ` (${item.entry.error.code})` : ''}. `,
      el('button', { type: 'button', class: 'link-button', text: 'Retry',
        on: { click: () => { state.chat.retry(id); renderConversation({}); } } }), ' ',
      el('button', { type: 'button', class: 'link-button', text: 'Discard',
        on: { click: () => { state.chat.discard(id); renderConversation({}); } } })));
  }
  return parts;
}

/** "… is typing" of the others in the open conversation. */
function renderTyping(conv) {
  const names = conv ? [...conv.typing.keys()] : [];
  let text = '';
  if (names.length === 1) text = `${names[0]} is typing…`;
  else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
  else if (names.length > 2) text = 'Several people are typing…';
  const line = $('#typing');
  if (line.textContent !== text) line.textContent = text;
}

/** The lines above the composer: typing, blocked, editing; and the header's Block button. */
function renderComposerStatus(conv) {
  renderTyping(conv);
  const block = $('#block-user');
  const isUser = conv?.kind === 'user';
  const blocked = isUser && state.blocked.has(conv.peer);
  block.hidden = !(isUser && state.blocksAvailable);
  block.textContent = blocked ? 'Unblock' : 'Block';
  block.setAttribute('aria-label', isUser ? `${blocked ? 'Unblock' : 'Block'} ${conv.peer}` : 'Block');
  showMessage($('#blocked-note'), blocked ? `You blocked ${conv.peer}: no messages either way until you unblock.` : '');
  const editing = Boolean(state.editing && conv && state.editing.convKey === conv.key);
  $('#editing').hidden = !editing;
  $('#send').textContent = editing ? 'Save' : 'Send';
}

function renderConversation({ stickToBottom = false, forceBottom = false, keepScroll = false }) {
  if (!state.chat) return;
  const conv = current();
  const box = $('#messages');
  const hasConv = Boolean(conv);
  $('#placeholder').hidden = hasConv;
  box.hidden = !hasConv;
  $('#composer').hidden = !hasConv;
  $('#leave-group').hidden = !(conv?.kind === 'group');
  $('#composer-status').hidden = !hasConv;
  renderComposerStatus(conv);
  if (!conv) {
    $('#conversation-title').textContent = 'No conversation open';
    replaceChildren($('#conversation-subtitle'));
    replaceChildren($('#message-list'));
    return;
  }
  $('#conversation-title').textContent = conv.name;
  box.setAttribute('aria-label', conv.kind === 'user' ? `Messages with ${conv.peer}` : `Messages in ${conv.name}`);
  renderSubtitle(conv);
  renderHistoryEdge(conv);

  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < NEAR_EDGE_PX;
  const connectionSig = `${state.chatConn?.isOpen ? 'on' : 'off'}|${state.chat.has('edit')}|${conv.owner === state.me}`;
  reconcile($('#message-list'), messageItems(conv), (item) => item.key, (item) => el('li', {}), (li, item) => {
    const m = item.message;
    const sig = `${item.kind}|${item.status}|${item.entry?.error?.code ?? ''}|${connectionSig}|${m?.timestamp ?? ''}|${item.continued}`
      + `|${m?.messageId ?? ''}|${m?.editedAt ?? ''}|${m?.deleted ?? ''}|${item.seen ?? ''}`
      + `|${Boolean(m?.messageId) && state.confirmingDelete === m.messageId}`;
    if (li.dataset.sig === sig) return;
    li.dataset.sig = sig;
    li.className = item.kind === 'info' ? 'info'
      : `message${item.message.from === state.me ? ' mine' : ''}${item.continued ? ' continued' : ''}${m.deleted ? ' deleted' : ''}`;
    li.dataset.status = item.status ?? '';
    if (item.message?.messageId) li.dataset.messageId = item.message.messageId;
    replaceChildren(li, messageContent(item));
  });
  $('#messages-empty').hidden = !(conv.loaded && conv.messages.size === 0 && state.chat.pendingFor(conv.key).length === 0);
  if (!keepScroll && (forceBottom || (stickToBottom && atBottom))) box.scrollTop = box.scrollHeight;
}

// ---- navigation ------------------------------------------------------------------------------------

/** #u/<username> or #g/<groupId> opens a conversation (kept across reloads and shareable). */
function keyFromHash() {
  const match = /^#([ug])\/(.+)$/.exec(window.location.hash);
  if (!match) return null;
  let id;
  try {
    id = decodeURIComponent(match[2]);
  } catch {
    return null;
  }
  return (match[1] === 'u' ? 'u:' : 'g:') + id;
}

function navigate(key) {
  const hash = key ? `#${key[0]}/${encodeURIComponent(key.slice(2))}` : '';
  if (window.location.hash !== hash) {
    if (hash) window.location.hash = hash;
    else history.pushState(null, '', window.location.pathname + window.location.search);
  }
  route();
}

function route() {
  if (!state.me) return;
  const key = keyFromHash();
  let conv = null;
  if (key?.startsWith('u:')) {
    const name = key.slice(2);
    conv = name === state.me ? null : userConv(name);
  } else if (key?.startsWith('g:')) {
    conv = state.convs.get(key) ?? null; // only groups I am in; others are joined through the form
  }
  const changed = (conv?.key ?? null) !== state.currentKey;
  state.currentKey = conv?.key ?? null;
  document.body.dataset.pane = conv ? 'conversation' : 'list';
  if (changed) {
    showMessage($('#conversation-error'), '');
    replaceChildren($('#message-list'));
    stopTyping();
    if (state.editing) cancelEditing();
  }
  if (conv) {
    conv.unread = 0;
    if (!conv.loaded && !conv.loading) loadLatest(conv);
    markRead(conv);
  }
  renderSidebar();
  renderConversation({ stickToBottom: true, forceBottom: changed });
  if (changed && conv && !narrow.matches) $('#composer-input').focus();
  if (changed && conv && narrow.matches) $('#conversation-title').focus?.();
}

// ---- session -----------------------------------------------------------------------------------------

function showView(view) {
  document.body.dataset.view = view;
  $('#boot').hidden = true;
  $('#auth-view').hidden = view !== 'auth';
  $('#chat-view').hidden = view !== 'chat';
  $('#account').hidden = view !== 'chat';
}

function showAuth(notice) {
  showView('auth');
  showMessage($('#auth-notice'), notice || '');
  showMessage($('#auth-error'), '');
  $('#auth-username').focus();
}

function startSession(token, username) {
  state.session += 1;
  state.api.token = token;
  state.me = username;
  state.convs.clear();
  state.currentKey = null;
  state.presenceKnown = false;
  state.listsLoaded = false;
  $('#me-name').textContent = username;
  showView('chat');

  const ended = () => endSession('Your session has ended (logged out, or the token expired). Please log in again.');
  state.chat = new ChatSession(state.config.chatUrl, token, {
    onMessage: onLiveMessage,
    onInfo,
    onSent,
    onFailed,
    onRead,
    onTyping,
    onEdited,
    onDeleted,
    onAuthenticated: (isReconnect) => {
      renderConversation({});
      const conv = current();
      if (conv && !conv.loaded && !conv.loading) loadLatest(conv);
      // chats and groups that appeared meanwhile, exact unread counts; the library fetches the messages (with
      // sync: one SYNC since its token, and the inbox after it, so that nothing is counted twice)
      if (isReconnect && !state.chat.has('sync')) refreshLists();
      if (conv) markRead(conv);
    },
    onCaughtUp: (event) => {
      if (state.chat.has('sync')) refreshLists();
      renderSidebar();
      renderConversation({});
    },
    onStateChange: (s) => {
      renderConnection();
      if (s.status === 'offline' || s.status === 'failed' || s.status === 'online') renderConversation({});
    },
    onAuthFailed: ended,
  });
  state.chatConn = state.chat;
  state.presenceConn = new PresenceSession(state.config.presenceUrl, token, {
    onAuthenticated: (online) => {
      // who is online: the snapshot follows on a first AUTH; after a reconnect the library keeps the set
      state.presenceKnown = true;
      for (const conv of state.convs.values()) {
        if (conv.kind === 'user') conv.status = online.has(conv.peer) ? 'online' : 'offline';
      }
      renderSidebar();
    },
    onUpdate: (frame) => {
      if (!frame.username || frame.username === state.me) return;
      const conv = userConv(frame.username); // a contact, maybe through a group
      conv.status = frame.status === 'online' ? 'online' : 'offline';
      renderSidebar();
    },
    onStateChange: (s) => {
      if (s.status !== 'online' && state.presenceKnown) {
        state.presenceKnown = false;
        for (const conv of state.convs.values()) if (conv.kind === 'user') conv.status = 'unknown';
        renderSidebar();
      }
      renderConnection();
    },
    onAuthFailed: ended,
  });
  state.chat.connect();
  state.presenceConn.connect();
  renderConnection();
  refreshLists().then(route);
  refreshBlocks();
  route();
}

/** Back to the login form: on logout, on a refused token, or when another tab logged out. */
async function endSession(notice, { logout = false } = {}) {
  if (!state.me) return;
  const { chatConn, presenceConn } = state;
  state.session += 1;
  state.me = null;
  chatConn?.disconnect();
  presenceConn?.disconnect();
  state.chatConn = null;
  state.presenceConn = null;
  state.chat = null;
  if (logout) {
    try {
      await state.api.logout();
    } catch {
      // the token is forgotten here anyway
    }
  }
  state.api.token = null;
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(USERNAME_KEY);
  for (const conv of state.convs.values()) for (const timer of conv.typing.values()) clearTimeout(timer);
  state.convs.clear();
  state.currentKey = null;
  state.editing = null;
  state.typingSent = null;
  state.blocked = new Set();
  state.blocksAvailable = false;
  for (const id of ['#contact-list', '#group-list', '#search-results', '#message-list']) replaceChildren($(id));
  $('#search-input').value = '';
  showMessage($('#search-status'), '');
  if (window.location.hash) history.replaceState(null, '', window.location.pathname + window.location.search);
  document.title = 'Chat';
  renderConnection();
  showAuth(notice);
}

async function onAuthSubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const action = event.submitter?.value === 'register' ? 'register' : 'login';
  const username = $('#auth-username').value.trim();
  const password = $('#auth-password').value;
  const error = $('#auth-error');
  showMessage($('#auth-notice'), '');
  if (!username || !password) {
    showMessage(error, 'Enter a username and a password.');
    return;
  }
  const buttons = form.querySelectorAll('button');
  buttons.forEach((b) => { b.disabled = true; });
  form.setAttribute('aria-busy', 'true');
  try {
    const answer = action === 'register'
      ? await state.api.register(username, password)
      : await state.api.login(username, password);
    localStorage.setItem(TOKEN_KEY, answer.token);
    localStorage.setItem(USERNAME_KEY, answer.username);
    $('#auth-password').value = '';
    showMessage(error, '');
    startSession(answer.token, answer.username);
  } catch (e) {
    let text = e.message;
    if (e.code === 'CONFLICT') text = `The name “${username}” is taken. Choose another, or log in.`;
    else if (e.code === 'AUTH_FAILED') text = 'Wrong username or password.';
    showMessage(error, text);
    $('#auth-password').focus();
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    form.removeAttribute('aria-busy');
  }
}

// ---- sidebar forms ------------------------------------------------------------------------------------

let searchTimer = null;
let searchSeq = 0;

function onSearchInput() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, 250);
}

async function runSearch() {
  const q = $('#search-input').value.trim();
  const results = $('#search-results');
  const status = $('#search-status');
  const seq = ++searchSeq;
  if (!q) {
    replaceChildren(results);
    showMessage(status, '');
    return;
  }
  try {
    const users = (await state.api.users(q)).filter((u) => u.username !== state.me);
    if (seq !== searchSeq || !state.me) return;
    showMessage(status, users.length ? `${users.length} user${users.length === 1 ? '' : 's'} found` : `No user name starts with “${q}”.`);
    replaceChildren(results, users.map((u) => el('li', {},
      el('button', { type: 'button', class: 'conv-item', on: { click: () => startChat(u.username) } },
        presenceDot(u.status),
        el('span', { class: 'conv-text' },
          el('span', { class: 'visually-hidden', text: 'Chat with ' }),
          el('span', { class: 'conv-name', text: u.username }))))));
  } catch (error) {
    if (seq !== searchSeq) return;
    replaceChildren(results);
    showMessage(status, `Search failed: ${error.message}`);
  }
}

async function startChat(username) {
  const status = $('#search-status');
  const session = state.session;
  try {
    const chat = await state.api.openChat(username);
    if (session !== state.session) return;
    const conv = userConv(username);
    conv.chatId = chat.chatId;
    $('#search-input').value = '';
    replaceChildren($('#search-results'));
    showMessage(status, '');
    navigate(conv.key);
  } catch (error) {
    showMessage(status, `Could not start a chat with ${username}: ${error.message}`);
  }
}

async function onCreateGroup(event) {
  event.preventDefault();
  const input = $('#create-group-name');
  const error = $('#create-group-error');
  const name = input.value.trim();
  if (!name) {
    showMessage(error, 'Give the group a name.');
    input.focus();
    return;
  }
  const session = state.session;
  try {
    const group = await state.api.createGroup(name);
    if (session !== state.session) return;
    const conv = groupConv(group.groupId);
    conv.name = group.name;
    conv.owner = group.owner;
    conv.memberCount = 1;
    conv.loaded = true; // a new group has no history
    input.value = '';
    showMessage(error, '');
    navigate(conv.key);
  } catch (e) {
    showMessage(error, `Could not create the group: ${e.message}`);
  }
}

async function onJoinGroup(event) {
  event.preventDefault();
  const input = $('#join-group-id');
  const error = $('#join-group-error');
  const groupId = input.value.trim();
  if (!groupId) {
    showMessage(error, 'Enter the id of the group.');
    input.focus();
    return;
  }
  try {
    await state.chat.request({ type: 'JOIN_GROUP', groupId, username: state.me });
    input.value = '';
    showMessage(error, '');
    groupConv(groupId);
    await refreshLists();
    navigate('g:' + groupId);
  } catch (e) {
    showMessage(error, `Could not join: ${e.message}`);
  }
}

async function onLeaveGroup() {
  const conv = current();
  if (conv?.kind !== 'group') return;
  const button = $('#leave-group');
  button.disabled = true;
  try {
    await state.chat.request({ type: 'LEAVE_GROUP', groupId: conv.groupId, username: state.me });
    removeConv(conv);
    renderSidebar();
    showMessage($('#sidebar-status'), `You left ${conv.name}.`);
  } catch (e) {
    showMessage($('#conversation-error'), `Could not leave the group: ${e.message}`);
  } finally {
    button.disabled = false;
  }
}

function onComposerSubmit(event) {
  event.preventDefault();
  const conv = current();
  const input = $('#composer-input');
  const content = input.value;
  if (!conv || !content.trim()) return;
  showMessage($('#conversation-error'), '');
  if (state.editing?.convKey === conv.key) {
    saveEdit(conv, content);
    input.value = '';
    autoGrow(input);
    return;
  }
  sendMessage(conv, content);
  input.value = '';
  autoGrow(input);
  input.focus();
}

function autoGrow(textarea) {
  textarea.style.height = 'auto';
  textarea.style.height = `${Math.min(textarea.scrollHeight, 160)}px`;
}

// ---- start -----------------------------------------------------------------------------------------------

function wire() {
  $('#auth-form').addEventListener('submit', onAuthSubmit);
  $('#logout').addEventListener('click', () => endSession('You have logged out.', { logout: true }));
  $('#connection-retry').addEventListener('click', () => {
    state.chatConn?.retryNow();
    state.presenceConn?.retryNow();
  });
  $('#search-form').addEventListener('submit', (e) => { e.preventDefault(); clearTimeout(searchTimer); runSearch(); });
  $('#search-input').addEventListener('input', onSearchInput);
  $('#create-group-form').addEventListener('submit', onCreateGroup);
  $('#join-group-form').addEventListener('submit', onJoinGroup);
  $('#leave-group').addEventListener('click', onLeaveGroup);
  $('#block-user').addEventListener('click', onBlockToggle);
  $('#edit-cancel').addEventListener('click', () => { cancelEditing(); $('#composer-input').focus(); });
  $('#back').addEventListener('click', () => navigate(null));
  $('#composer').addEventListener('submit', onComposerSubmit);
  const input = $('#composer-input');
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $('#composer').requestSubmit();
    } else if (e.key === 'Escape' && state.editing) {
      e.preventDefault();
      cancelEditing();
    }
  });
  input.addEventListener('input', () => {
    autoGrow(input);
    noteTyping();
  });
  input.addEventListener('blur', stopTyping);
  $('#messages').addEventListener('scroll', () => {
    const conv = current();
    if (conv && $('#messages').scrollTop < NEAR_EDGE_PX) loadOlder(conv);
  }, { passive: true });
  window.addEventListener('hashchange', route);
  window.addEventListener('popstate', route);
  document.addEventListener('visibilitychange', () => {
    const conv = current();
    if (conv && document.visibilityState === 'visible') {
      markRead(conv);
      renderSidebar();
    }
  });
  // the network is back: do not wait for the next scheduled attempt
  window.addEventListener('online', () => {
    state.chatConn?.retryNow();
    state.presenceConn?.retryNow();
  });
  // another tab logged out (or in as someone else)
  window.addEventListener('storage', (e) => {
    if (e.key !== TOKEN_KEY) return;
    if (!e.newValue) endSession('You logged out in another tab.');
    else if (e.newValue !== state.api.token) window.location.reload(); // logged in in another tab
  });
}

async function boot() {
  wire();
  state.config = await loadConfig();
  state.api = new Api(state.config.apiBase);
  const token = localStorage.getItem(TOKEN_KEY);
  if (!token) {
    showAuth();
    return;
  }
  state.api.token = token;
  try {
    const me = await state.api.me();
    localStorage.setItem(USERNAME_KEY, me.username);
    startSession(token, me.username);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      localStorage.removeItem(TOKEN_KEY);
      localStorage.removeItem(USERNAME_KEY);
      state.api.token = null;
      showAuth('Your session has ended. Please log in again.');
    } else {
      showView('auth');
      showMessage($('#auth-error'), `Could not reach the server: ${error.message}`);
      const retry = el('button', { type: 'button', class: 'link-button', text: 'Try again',
        on: { click: () => window.location.reload() } });
      $('#auth-error').append(' ', retry);
    }
  }
}

boot();
