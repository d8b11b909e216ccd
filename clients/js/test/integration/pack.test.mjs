// `npm pack` gives a tarball that installs into an empty project (no other package, nothing from a registry)
// and works there: its types resolve, and a script importing '@chatpresence/client' talks to the real product.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Product } from '../product.mjs';

const here = path.resolve(import.meta.dirname, '..', '..');
let product;
let dir;

before(async () => {
  product = await new Product().start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatpresence-pack-'));
});

after(async () => {
  await product?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the packed tarball installs into an empty project and works there', { timeout: 180000 }, async () => {
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: here, encoding: 'utf8' });
  const tarball = path.join(dir, out.trim().split('\n').at(-1));
  const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
  assert.ok(listing.includes('package/dist/index.js') && listing.includes('package/dist/index.d.ts'), listing.join(' '));
  assert.ok(!listing.some((f) => f.includes('/src/') || f.includes('/test/')), 'only the built files');

  const app = path.join(dir, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: app, stdio: 'pipe' });
  const installed = JSON.parse(fs.readFileSync(path.join(app, 'package-lock.json'), 'utf8')).packages;
  assert.deepEqual(Object.keys(installed).filter((k) => k), ['node_modules/@chatpresence/client'], 'no other package');

  const alice = await product.register(`packa${Date.now().toString(36)}`);
  const bob = await product.register(`packb${Date.now().toString(36)}`);
  fs.writeFileSync(path.join(app, 'main.mjs'), `
    import { ChatClient } from '@chatpresence/client';
    const [url, token, to] = process.argv.slice(2);
    const chat = new ChatClient({ url, token });
    await chat.connect();
    const sent = await chat.sendPrivateMessage(to, 'from the packed library');
    chat.disconnect();
    console.log(JSON.stringify(sent));
  `);
  const args = ['--experimental-websocket', 'main.mjs', product.chatUrl, alice.token, bob.username];
  const result = JSON.parse(execFileSync(process.execPath, args, { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  assert.equal(result.msg, 'sent');
  assert.match(result.messageId, /^msg_/);

  // the types resolve for a TypeScript user (the typescript of this package's dev dependencies)
  fs.writeFileSync(path.join(app, 'check.ts'), `
    import { ChatClient, type SentFrame, type PrivateMessage } from '@chatpresence/client';
    const chat = new ChatClient({ url: 'ws://localhost:4000', token: () => Promise.resolve('t'), features: ['read'] });
    chat.onPrivateMessage = (m: PrivateMessage) => { const s: string = m.content; void s; };
    const p: Promise<SentFrame> = chat.sendPrivateMessage('bob', 'hi');
    chat.on('reconnecting', (e) => { const n: number = e.delayMs; void n; });
    void p;
  `);
  execFileSync(path.join(here, 'node_modules/.bin/tsc'), ['--noEmit', '--strict', '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--lib', 'es2020,dom', '--types', '', 'check.ts'], { cwd: app, stdio: 'pipe' });
});
