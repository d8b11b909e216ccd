// A TCP proxy on 127.0.0.1 in front of a local port, so that a test can take one client's network away while
// the server stays up: cut() drops every connection and refuses new ones until restore(); mute() keeps the
// connections but throws away what the server sends (an answer lost on the way).
import net from 'node:net';

export class TcpProxy {
  constructor(targetPort) {
    this.targetPort = targetPort;
    this.down = false;
    this.muted = false;
    this.pairs = new Set();
  }

  async start() {
    this.server = net.createServer((client) => {
      if (this.down) {
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
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d) => { if (!this.muted) client.write(d); });
    });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    this.url = `ws://127.0.0.1:${this.port}/`;
    return this;
  }

  mute() { this.muted = true; }

  cut() {
    this.down = true;
    this.muted = false;
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  restore() { this.down = false; }

  async close() {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Waits for fn() to be truthy, polling, with a deadline. */
export async function eventually(fn, { timeout = 30000, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${message}: not met within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
