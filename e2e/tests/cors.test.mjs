// A front-end app on its own origin (like a Vite dev server on :5173) reaches the REST API through CORS and the
// chat server through @chatpresence/client; a page on an origin not in CORS_ALLOWED_ORIGINS is refused.
// e2e/run starts the product with CORS_ALLOWED_ORIGINS=http://127.0.0.1:$APP_PORT.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CHAT_PORT, launchUser } from './support.mjs';

const APP_PORT = Number(process.env.APP_PORT);
const LIBRARY = path.resolve(import.meta.dirname, '../../chat-verticle/src/main/resources/webroot/js/chatpresence');
const RUN = Date.now().toString(36).slice(-5);

/** A static server for the app's page and the library's modules, on its own origin. */
function appServer(port) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>app</title><h1>app</h1>');
      return;
    }
    const file = path.join(LIBRARY, path.basename(url.pathname));
    if (url.pathname.startsWith('/lib/') && fs.existsSync(file)) {
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(fs.readFileSync(file));
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

let user;
let allowed;
let refused;

describe('CORS: a front-end app on another origin', () => {
  before(async () => {
    assert.ok(APP_PORT, 'APP_PORT is set by e2e/run');
    allowed = await appServer(APP_PORT);
    refused = await appServer(0);
    user = await launchUser('cors');
  });

  after(async () => {
    await user?.close();
    allowed?.close();
    refused?.close();
  });

  test('preflights are answered before any authentication, for the listed origin only', async () => {
    const preflight = (origin) => fetch(`http://127.0.0.1:${CHAT_PORT}/api/me`, { method: 'OPTIONS', headers: {
      Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' } });
    const ok = await preflight(`http://127.0.0.1:${APP_PORT}`);
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), `http://127.0.0.1:${APP_PORT}`);
    assert.match(ok.headers.get('access-control-allow-headers'), /Authorization/);
    assert.match(ok.headers.get('access-control-allow-headers'), /Content-Type/);
    const no = await preflight('http://127.0.0.1:1');
    assert.equal(no.status, 403);
    assert.equal((await no.json()).error, 'FORBIDDEN');
  });

  test('from the allowed origin: register, a bearer call, and the library chatting over the socket', async () => {
    await user.page.goto(`http://127.0.0.1:${APP_PORT}/`);
    const result = await user.page.evaluate(async ({ chatPort, name }) => {
      const api = `http://127.0.0.1:${chatPort}/api`;
      const registered = await fetch(`${api}/auth/register`, { method: 'POST',
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: name, password: 'correct-horse-battery' }) });
      const { token } = await registered.json();
      const me = await (await fetch(`${api}/me`, { headers: { Authorization: `Bearer ${token}` } })).json();
      const { ChatClient } = await import('/lib/index.js');
      const chat = new ChatClient({ url: `ws://127.0.0.1:${chatPort}/`, token });
      await chat.connect();
      const joined = await chat.joinGroup(`cors_${name}`);
      const sent = await chat.sendGroupMessage(`cors_${name}`, 'hello from another origin');
      chat.disconnect();
      return { status: registered.status, me: me.username, joined: joined.msg, sent: sent.msg };
    }, { chatPort: CHAT_PORT, name: `cors_${RUN}` });
    assert.deepEqual(result, { status: 201, me: `cors_${RUN}`, joined: 'joined', sent: 'sent' });
  });

  test('from an origin not on the list the browser is refused', async () => {
    await user.page.goto(`http://127.0.0.1:${refused.address().port}/`);
    const result = await user.page.evaluate(async ({ chatPort, name }) => {
      try {
        await fetch(`http://127.0.0.1:${chatPort}/api/auth/login`, { method: 'POST',
          headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: name, password: 'correct-horse-battery' }) });
        return 'allowed';
      } catch (e) {
        return `refused: ${e.name}`;
      }
    }, { chatPort: CHAT_PORT, name: `cors_${RUN}` });
    assert.equal(result, 'refused: TypeError');
  });
});
