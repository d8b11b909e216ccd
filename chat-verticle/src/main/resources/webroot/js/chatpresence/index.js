// @chatpresence/client: the chat and presence servers' client protocol as Promises and callbacks.
export { ChatClient } from './chat.js';
export { PresenceClient } from './presence.js';
export { ChatPresenceError, Connection } from './connection.js';
