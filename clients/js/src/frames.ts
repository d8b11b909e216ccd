// The frames of the client protocol (client-protocol.txt, shared/contract.md, docs/protocol.md), both ways.
// Extensions (read, typing, edit, sync) reach a socket only when it asked for them in the AUTH `features`.

/** A feature a socket can ask for at AUTH; unknown names are ignored by the server. */
export type Feature = 'read' | 'typing' | 'edit' | 'sync' | (string & {});

export type ErrorCode =
  | 'AUTH_FAILED' | 'BAD_JSON' | 'UNKNOWN_TYPE' | 'INVALID' | 'TOO_LARGE' | 'RATE_LIMITED' | 'TOO_MANY_SOCKETS'
  | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'UNAVAILABLE' | 'INTERNAL'
  // raised by the library itself, never sent by the server
  | 'DISCONNECTED' | 'TIMEOUT' | (string & {});

// ---- received (server -> client) --------------------------------------------------------------------

/** A one-to-one message in the received format. */
export interface PrivateMessage {
  type: 'ONE_TO_ONE_CHAT';
  from: string;
  to: string;
  content: string;
  chatId: string;
  timestamp: string;
  messageId: string;
  /** With the `edit` feature: when it was last edited. */
  editedAt?: string;
}

/** A group message in the received format. */
export interface GroupMessage {
  type: 'GROUP_CHAT';
  from: string;
  groupId: string;
  content: string;
  timestamp: string;
  messageId: string;
  editedAt?: string;
}

/** With the `edit` feature, history shows a deleted message in its place without content. */
export interface DeletedMessage {
  type: 'ONE_TO_ONE_CHAT' | 'GROUP_CHAT';
  messageId: string;
  chatId?: string;
  groupId?: string;
  from: string;
  timestamp: string;
  deleted: true;
  deletedAt: string;
}

export type ChatMessage = PrivateMessage | GroupMessage;

export interface SuccessFrame {
  type: 'SUCCESS';
  msg: string;
  clientMsgId?: string;
  [field: string]: unknown;
}

/** The answer to AUTH. */
export interface AuthenticatedFrame extends SuccessFrame {
  msg: 'authenticated';
  username: string;
  features?: Feature[];
}

/** The answer to a sent message: it is durably stored. */
export interface SentFrame extends SuccessFrame {
  msg: 'sent';
  messageId: string;
  chatId?: string;
  groupId?: string;
  timestamp: string;
  /** The server had this clientMsgId already: the first message's answer, nothing stored twice. */
  duplicate?: boolean;
}

export interface GroupAnswer extends SuccessFrame {
  groupId: string;
}

/** The answer to MARK_READ: `messageId` is the read position after the call (it only moves forward). */
export interface ReadAnswer extends SuccessFrame {
  msg: 'read';
  chatId?: string;
  groupId?: string;
  messageId: string;
  unread: number;
}

/** The answer to EDIT_MESSAGE, once the new text is stored. */
export interface EditedAnswer extends SuccessFrame {
  msg: 'edited';
  messageId: string;
  chatId?: string;
  groupId?: string;
  editedAt: string;
}

/** The answer to DELETE_MESSAGE (again for a repeat: retries are safe). */
export interface DeletedAnswer extends SuccessFrame {
  msg: 'deleted';
  messageId: string;
  chatId?: string;
  groupId?: string;
}

/** A one-to-one chat or a group, as the extension frames name it. */
export type ConversationRef = { chatId: string; groupId?: undefined } | { groupId: string; chatId?: undefined };

/** One entry of GET /api/blocks: whom I block, since when. */
export interface BlockEntry {
  username: string;
  since: string;
}

export interface ErrorFrame {
  type: 'ERROR';
  code: ErrorCode;
  msg: string;
  clientMsgId?: string;
}

export interface InfoFrame {
  type: 'INFO';
  msg: string;
  event?: 'JOINED' | 'LEFT';
  groupId?: string;
  username?: string;
}

export interface ChatHistoryFrame {
  type: 'ONE_TO_ONE_CHAT_HISTORY';
  chatId: string;
  messages: Array<PrivateMessage | DeletedMessage>;
  hasMore: boolean;
  clientMsgId?: string;
}

export interface GroupHistoryFrame {
  type: 'GROUP_CHAT_HISTORY';
  groupId: string;
  messages: Array<GroupMessage | DeletedMessage>;
  hasMore: boolean;
  clientMsgId?: string;
}

export interface PresenceUpdate {
  type: 'PRESENCE_UPDATE';
  username: string;
  status: 'online' | 'offline';
  timestamp: string;
}

// extensions

export interface ReadFrame {
  type: 'READ';
  chatId?: string;
  groupId?: string;
  username: string;
  messageId: string;
  unread?: number;
}

export interface TypingFrame {
  type: 'TYPING';
  chatId?: string;
  groupId?: string;
  username: string;
  typing: boolean;
}

export interface MessageEditedFrame {
  type: 'MESSAGE_EDITED';
  messageId: string;
  chatId?: string;
  groupId?: string;
  from: string;
  content: string;
  timestamp: string;
  editedAt: string;
}

export interface MessageDeletedFrame {
  type: 'MESSAGE_DELETED';
  messageId: string;
  chatId?: string;
  groupId?: string;
  deletedAt: string;
}

export interface InboxConversation {
  chatId?: string;
  groupId?: string;
  with?: string;
  name?: string;
  lastMessage: ChatMessage | null;
  unread: number;
  readMessageId: string | null;
  partnerReadMessageId?: string | null;
}

export interface InboxFrame {
  type: 'INBOX';
  conversations: InboxConversation[];
  totalUnread: number;
  next: string | null;
  syncToken: string;
  clientMsgId?: string;
}

/** An event of a SYNC page: a frame the socket would have received live (never TYPING). */
export type SyncEvent = PrivateMessage | GroupMessage | DeletedMessage | MessageEditedFrame | MessageDeletedFrame
  | ReadFrame | InfoFrame;

export interface SyncFrame {
  type: 'SYNC';
  events: SyncEvent[];
  /** The token to ask with next: after these events (when hasMore), or now. */
  next: string;
  hasMore: boolean;
  clientMsgId?: string;
}

/** Every frame a server sends, by its `type`. */
export interface ServerFrames {
  SUCCESS: SuccessFrame;
  ERROR: ErrorFrame;
  INFO: InfoFrame;
  ONE_TO_ONE_CHAT: PrivateMessage;
  GROUP_CHAT: GroupMessage;
  ONE_TO_ONE_CHAT_HISTORY: ChatHistoryFrame;
  GROUP_CHAT_HISTORY: GroupHistoryFrame;
  PRESENCE_UPDATE: PresenceUpdate;
  READ: ReadFrame;
  TYPING: TypingFrame;
  MESSAGE_EDITED: MessageEditedFrame;
  MESSAGE_DELETED: MessageDeletedFrame;
  INBOX: InboxFrame;
  SYNC: SyncFrame;
}

export type ServerFrame = ServerFrames[keyof ServerFrames];

// ---- sent (client -> server) --------------------------------------------------------------------------

export interface HistoryOptions {
  /** 1 to 200; the server's default is 50. */
  limit?: number;
  /** The newest `limit` messages before this messageId. */
  before?: string;
  /** The oldest `limit` messages after this messageId (catching up). */
  after?: string;
}

export interface HistoryPage<M> {
  messages: M[];
  hasMore: boolean;
}

/** Any frame the client sends: `type` plus its fields (docs/protocol.md). */
export interface ClientFrame {
  type: string;
  clientMsgId?: string;
  [field: string]: unknown;
}
