// Starts the real product (bin/vertx run all) for the integration tests and benchmarks: its own DATA_DIR, free
// loopback ports, a fast password hash; stopped by its PID (SIGTERM: sockets closed 1001), restartable on the
// same data and ports. The jar must exist (`mvn -q -B package -DskipTests`; .ci/run builds it first).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/**
 * A free port below the kernel's ephemeral range (32768 and up): the embedded PostgreSQL takes an ephemeral port
 * while the product starts, and could otherwise take the very port chosen here before the product binds it.
 */
export async function freePort() {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise((resolve) => {
      const s = net.createServer().once('error', () => resolve(false))
        .listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function until(fn, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function ready(port) {
  try {
    // one poll may not hang the wait: a request that met the server as it started once went unanswered for
    // minutes (Vert.x: 'socketMetric is null' in the HTTP server's metrics, in the product's log)
    return (await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

export class Product {
  /** env: extra environment for the product (e.g. CORS_ALLOWED_ORIGINS). */
  constructor(env = {}) {
    this.env = env;
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatpresence-js-'));
    this.log = path.join(this.dataDir, 'product.log');
    this.child = null;
  }

  get chatUrl() { return `ws://127.0.0.1:${this.chatPort}/`; }
  get presenceUrl() { return `ws://127.0.0.1:${this.presencePort}/`; }
  get httpBase() { return `http://127.0.0.1:${this.chatPort}`; }
  get pid() { return this.child?.pid; }

  async start() {
    if (!fs.existsSync(path.join(ROOT, 'launcher/target/chat-presence.jar'))) {
      throw new Error('launcher/target/chat-presence.jar is missing: run `mvn -q -B package -DskipTests` first');
    }
    if (!this.chatPort) {
      this.chatPort = await freePort();
      do this.presencePort = await freePort(); while (this.presencePort === this.chatPort);
    }
    const env = { ...process.env, ...this.env, DATA_DIR: path.join(this.dataDir, 'data'), HTTP_HOST: '127.0.0.1',
      CHAT_PORT: String(this.chatPort), PRESENCE_PORT: String(this.presencePort), PASSWORD_ITERATIONS: '1000' };
    delete env.PG_URL;
    delete env.JWT_SECRET;
    const out = fs.openSync(this.log, 'a');
    // detached: its own process group, so that a last-resort kill reaches the JVM's children too
    this.child = spawn(path.join(ROOT, 'bin/vertx'), ['run', 'all'], { env, stdio: ['ignore', out, out], detached: true });
    fs.closeSync(out);
    const child = this.child;
    let exited = false;
    child.on('exit', () => { exited = true; });
    await until(async () => {
      if (exited) throw new Error(`the product exited; log: ${fs.readFileSync(this.log, 'utf8').slice(-3000)}`);
      return (await ready(this.chatPort)) && (await ready(this.presencePort));
    }, 120000, 'the product ready');
    return this;
  }

  /** SIGTERM to its PID, and wait for it to end (sockets are closed with 1001). */
  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timeout = new Promise((r) => setTimeout(() => r('timeout'), 30000));
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
      await exited;
    }
    this.child = null;
  }

  async restart() {
    await this.stop();
    await this.start();
  }

  /** Stops it and removes its data. */
  async destroy() {
    await this.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  async register(username, password = 'correct-horse-battery') {
    const response = await fetch(`${this.httpBase}/api/auth/register`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
    });
    if (response.status !== 201) throw new Error(`register ${username}: ${response.status} ${await response.text()}`);
    return response.json();
  }

  async login(username, password = 'correct-horse-battery') {
    const response = await fetch(`${this.httpBase}/api/auth/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
    });
    if (!response.ok) throw new Error(`login ${username}: ${response.status}`);
    return response.json();
  }

  /** Process CPU time (user + system) in ms, from /proc: for benchmarks. */
  cpuMs() {
    const stat = fs.readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  }
}
