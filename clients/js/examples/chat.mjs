// Two users chat and watch each other's presence, with @chatpresence/client against the running product:
//   bin/vertx run all                       (in the repository root, another terminal)
//   cd clients/js && npm ci && npm run example
// CHAT=http://host:4000 PRESENCE=ws://host:5000 to point elsewhere.
import { spawnSync } from 'node:child_process';

if (typeof globalThis.WebSocket !== 'function') {
  // Node 20: the built-in WebSocket is behind a flag
  const r = spawnSync(process.execPath, ['--experimental-websocket', '--no-warnings', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { ChatClient, PresenceClient } = await import('../dist/index.js');
const HTTP = process.env.CHAT || 'http://localhost:4000';
const WS = HTTP.replace(/^http/, 'ws');
const PRESENCE = process.env.PRESENCE || WS.replace(/:\d+$/, ':5000');

/** Registers the user, or logs in if the name is taken: answers the token. */
async function account(username, password = 'correct-horse-battery') {
  for (const path of ['/api/auth/register', '/api/auth/login']) {
    const r = await fetch(HTTP + path, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }) });
    if (r.ok) return (await r.json()).token;
  }
  throw new Error(`could not register or log in ${username}`);
}

const suffix = Math.random().toString(36).slice(2, 6);
const [ana, ben] = [`ana_${suffix}`, `ben_${suffix}`];
const anaToken = await account(ana);
const benToken = await account(ben);

const anaChat = new ChatClient({ url: WS, token: anaToken });
const benChat = new ChatClient({ url: WS, token: () => benToken }); // a function: asked again at every AUTH
const anaPresence = new PresenceClient({ url: PRESENCE, token: anaToken });
anaPresence.onPresenceUpdate = (u) => console.log(`[ana's presence] ${u.username} is ${u.status}`);
benChat.onPrivateMessage = (m) => console.log(`[ben] ${m.from}: ${m.content}`);
let bursts = 0;
benChat.onGroupMessage = (m) => {
  if (m.content.startsWith('burst ')) bursts += 1; // 60 of them: counted, not printed
  else console.log(`[ben] ${m.from} in ${m.groupId}: ${m.content}`);
};
for (const c of [anaChat, benChat]) c.on('reconnecting', (e) => console.log(`reconnecting in ${e.delayMs} ms`));

await Promise.all([anaChat.connect(), benChat.connect()]);
const sent = await anaChat.sendPrivateMessage(ben, 'Hello Ben!');
console.log(`[ana] sent ${sent.messageId} at ${sent.timestamp}`);
await anaPresence.connect(); // ben is ana's contact now: his status comes at once

const group = `book_club_${suffix}`;
await anaChat.joinGroup(group, 'Book club');
await benChat.joinGroup(group);
await benChat.sendGroupMessage(group, 'Dune first?');
const burst = await Promise.all(Array.from({ length: 60 }, (_, i) => anaChat.sendGroupMessage(group, `burst ${i}`)));
console.log(`[ana] 60 messages sent at once, all acknowledged (paced to the server's limit): ${burst.at(-1).messageId}`);
console.log(`[ben] has received ${bursts} of them so far`);

const page = await benChat.getGroupHistory(group, { limit: 5 });
console.log(`[ben] the last ${page.messages.length} of the group (more: ${page.hasMore}):`, page.messages.map((m) => m.content));
try {
  await benChat.sendGroupMessage(`not_a_member_${suffix}`, 'x');
} catch (e) {
  console.log(`[ben] refused as expected: ${e.code} (${e.message})`);
}
benChat.disconnect();
await new Promise((resolve) => { anaPresence.onPresenceUpdate = (u) => { if (u.status === 'offline') resolve(); }; });
console.log(`[ana's presence] ${ben} went offline (after the server's grace period)`);
anaChat.disconnect();
anaPresence.disconnect();
