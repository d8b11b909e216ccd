// What the browser tests share: launching Chromium (Debian's, never a download), polling with deadlines,
// screenshots, a TCP proxy that can cut a browser's connections to simulate a network drop, and the steps on the
// web client's page that several tests take (sign up or log in, send, find a message or a list entry).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const CHAT_PORT = Number(process.env.CHAT_PORT || 4000);
export const PRESENCE_PORT = Number(process.env.PRESENCE_PORT || 5000);
export const ARTIFACTS = process.env.E2E_ARTIFACTS || path.resolve(import.meta.dirname, '..', 'artifacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync'];

fs.mkdirSync(ARTIFACTS, { recursive: true });

/**
 * One user's browser: its own Chromium with a fresh --user-data-dir (Playwright passes the directory given to
 * launchPersistentContext as --user-data-dir), so two users share no cookies, storage or connections.
 */
export async function launchUser(label, { width = 1280, height = 800 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `e2e-${label}-`));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width, height }, colorScheme: 'light',
  });
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`${label}: ${e.message}`));
  page.on('console', (m) => {
    if (process.env.E2E_VERBOSE) console.log(`[${label} console.${m.type()}] ${m.text()}`);
  });
  page.setDefaultTimeout(15000);
  const close = async () => {
    await context.close().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { label, context, page, errors, close };
}

export async function screenshot(page, name) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Polls fn until it returns a truthy value (or stops throwing); fails after the deadline with the last reason. */
export async function eventually(fn, { timeout = 15000, interval = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      last = `returned ${JSON.stringify(value)}`;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > deadline) throw new Error(`${message}: not met within ${timeout} ms (${last})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** A TCP proxy on 127.0.0.1 to a local port; cut() drops every connection and refuses new ones until restore(). */
export class TcpProxy {
  constructor(targetPort) {
    this.targetPort = targetPort;
    this.down = false;
    this.pairs = new Set();
    this.refused = []; // times of connections refused while down
  }

  async start() {
    this.server = net.createServer((client) => {
      if (this.down) {
        this.refused.push(Date.now());
        client.destroy();
        return;
      }
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      const pair = { client, upstream };
      this.pairs.add(pair);
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    return this;
  }

  cut() {
    this.down = true;
    this.refused = [];
    this.cutAt = Date.now();
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  restore() {
    this.down = false;
  }

  async close() {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * WCAG 2.1 A and AA violations that axe-core finds in the page as it is now (the script is evaluated through
 * the DevTools protocol, which the page's Content-Security-Policy does not restrict).
 */
export async function accessibilityViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3)
      .map((n) => n.target.join(' ')).join(', ')}`);
  });
}

// ---- the web client's page ----------------------------------------------------------------------------

export const PASSWORD = 'correct-horse-battery';

export const contact = (page, name) => page.locator(`#contact-list > li[data-key="u:${name}"]`);
export const group = (page, id) => page.locator(`#group-list > li[data-key="g:${id}"]`);
export const messageWithText = (page, text) => page.locator('#message-list > li.message')
  .filter({ has: page.locator('.content', { hasText: text }) });

/** Opens the page at {@code url}, signs up (or, with {@code button} 'Log in', logs in) and waits until online. */
export async function signIn(page, url, username, button = 'Create account') {
  await page.goto(url);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: button }).click();
  await page.locator('#me-name', { hasText: username }).waitFor();
  await page.locator('#connection[data-state="online"]').waitFor();
}

/** Sends a message in the open conversation and answers its messageId once the server stored it. */
export async function sendAndWait(page, text) {
  const input = page.getByLabel('Message', { exact: true });
  await input.fill(text);
  await input.press('Enter');
  const li = messageWithText(page, text).and(page.locator('[data-status="sent"]'));
  await li.waitFor();
  return li.getAttribute('data-message-id');
}
