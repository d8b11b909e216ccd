// What receiving costs a Node process: one ChatClient (Node's built-in WebSocket) receives RATE messages/s in the
// server's received format for SECONDS seconds from a minimal WebSocket server in a child process, so that the
// CPU time measured (process.cpuUsage) is the client's alone: parsing, dedupe, catch-up bookkeeping, callback.
//   node --experimental-websocket bench/receive.mjs            (RATE=5000 SECONDS=10 by default)
// Loopback only, bounded in time; the child ends with the parent.
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import { ChatClient } from '../dist/index.js';

const RATE = Number(process.env.RATE || 5000);
const SECONDS = Number(process.env.SECONDS || 10);

if (process.argv[2] === 'server') {
  // ---- the child: a WebSocket server that answers AUTH, then pushes RATE messages a second ----
  const frame = (text) => {
    const payload = Buffer.from(text);
    const head = payload.length < 126 ? Buffer.from([0x81, payload.length])
      : Buffer.from([0x81, 126, payload.length >> 8, payload.length & 255]);
    return Buffer.concat([head, payload]);
  };
  const server = http.createServer();
  server.on('upgrade', (req, socket) => {
    const accept = crypto.createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.once('data', () => {
      // the first client frame is AUTH (not read further)
      socket.write(frame(JSON.stringify({ type: 'SUCCESS', msg: 'authenticated', username: 'bench' })));
      let n = 0;
      const perTick = RATE / 100;
      const started = Date.now();
      const timer = setInterval(() => {
        // catch up with the wall clock, so that a late tick does not lower the rate
        const due = Math.min(RATE * SECONDS, Math.floor(((Date.now() - started) / 10 + 1) * perTick));
        const chunks = [];
        for (; n < due; n++) {
          chunks.push(frame(`{"type":"ONE_TO_ONE_CHAT","from":"peer${n % 50}","to":"bench","content":"message number ${n} with some text in it","chatId":"chat_${n % 50}","timestamp":"2026-12-01T10:00:00.000Z","messageId":"msg_${n}"}`));
        }
        if (chunks.length) socket.write(Buffer.concat(chunks));
        if (n >= RATE * SECONDS) clearInterval(timer);
      }, 10);
      socket.on('close', () => clearInterval(timer));
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
  process.on('disconnect', () => process.exit(0));
} else {
  // ---- the parent: the client under test ----
  const child = fork(import.meta.filename, ['server'], { env: { ...process.env, RATE, SECONDS } });
  const port = await new Promise((resolve) => child.once('message', resolve));
  const client = new ChatClient({ url: `ws://127.0.0.1:${port}/`, token: 't', reconnect: false });
  let received = 0;
  client.onPrivateMessage = () => { received += 1; };
  await client.connect();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const total = RATE * SECONDS;
  await new Promise((resolve) => {
    const check = setInterval(() => {
      if (received >= total || performance.now() - t0 > SECONDS * 1000 * 3) {
        clearInterval(check);
        resolve();
      }
    }, 50);
  });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(`received ${received} of ${total} messages in ${wall.toFixed(2)} s = ${(received / wall).toFixed(0)} msg/s; `
    + `client CPU ${cpuSeconds.toFixed(2)} s = ${((cpuSeconds / wall) * 100).toFixed(1)} % of one core `
    + `(Node ${process.versions.node}, built-in WebSocket)`);
  client.disconnect();
  child.disconnect();
  child.kill();
  process.exit(received >= total ? 0 : 1);
}
