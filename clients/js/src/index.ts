// @chatpresence/client: the chat and presence servers' client protocol as Promises and callbacks.
export { ChatClient } from './chat.js';
export type { CaughtUpEvent, ChatClientOptions, InboxOptions, SyncOptions, SyncResult } from './chat.js';
export type { FetchLike } from './rest.js';
export { PresenceClient } from './presence.js';
export type { PresenceClientOptions } from './presence.js';
export { ChatPresenceError, Connection } from './connection.js';
export type {
  AuthFailedEvent, Clock, CloseEvent, ConnectionOptions, ConnectionState, LifecycleEvents, OpenEvent, RateOptions,
  ReconnectOptions, ReconnectingEvent, StalledEvent, TokenSource, WebSocketConstructor, WebSocketLike,
} from './connection.js';
export type * from './frames.js';
