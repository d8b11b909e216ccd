// What a flood of over-the-rate frames costs the server: one user's sockets each send FRAMES chat frames at once
// (all but the burst are answered RATE_LIMITED), and the product's JVM CPU time is read from /proc before and
// after. Prints CPU microseconds per refused frame, and whether the ERRORs named their clientMsgId.
//   node --experimental-websocket bench/flood.mjs          (starts bin/vertx run all on free ports; jar needed)
// One socket by default: a Node client reading several flooded sockets may fall behind (dropped, 1008).
// Bounded: SOCKETS x FRAMES frames per round, ROUNDS rounds (env), loopback only; the product is stopped at the end.
import { Product } from '../test/product.mjs';

const SOCKETS = Number(process.env.SOCKETS || 1);
const FRAMES = Number(process.env.FRAMES || 5000);
const ROUNDS = Number(process.env.ROUNDS || 12);

function open(url, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.onopen = () => ws.send(JSON.stringify({ type: 'AUTH', token }));
    ws.onerror = () => reject(new Error('socket error'));
    ws.onmessage = (e) => {
      const f = JSON.parse(e.data);
      if (f.type === 'SUCCESS' && f.msg === 'authenticated') resolve(ws);
      else reject(new Error(e.data));
    };
  });
}

/**
 * Sends FRAMES frames on ws in windows of WINDOW (the next window once the previous one is answered: a client
 * that does not keep up with its answers is dropped as a slow consumer, 1008), and resolves when each got its
 * answer: {limited, withId, ok}.
 */
const WINDOW = 200;
// a frame shaped like a message (clientMsgId last, after some content); its type is unknown to the server so
// that the frames within the rate cost a parse and an UNKNOWN_TYPE answer, not a database write whose cost varies
const FILLER = 'x'.repeat(Number(process.env.CONTENT_CHARS || 200));
function flood(ws, peer, round, s) {
  return new Promise((resolve) => {
    let answers = 0;
    let i = 0;
    const counts = { limited: 0, withId: 0, ok: 0 };
    const next = () => {
      for (const end = Math.min(FRAMES, i + WINDOW); i < end; i++) {
        ws.send(`{"type":"FLOOD","to":"${peer}","content":"flood ${round} ${i} ${FILLER}","clientMsgId":"f-${round}-${s}-${i}"}`);
      }
    };
    ws.onmessage = (e) => {
      const f = JSON.parse(e.data);
      if (f.type === 'ERROR' && f.code === 'RATE_LIMITED') {
        counts.limited += 1;
        if (f.clientMsgId) counts.withId += 1;
      } else if (f.type === 'ERROR') counts.ok += 1;
      else return; // the messages of the user's other sockets
      answers += 1;
      if (answers === FRAMES) resolve(counts);
      else if (answers === i) next();
    };
    ws.onclose = (e) => {
      console.log(`socket ${s} closed ${e.code} after ${answers} answers`);
      process.exitCode = 1;
      resolve(counts);
    };
    next();
  });
}

const product = new Product();
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => product.destroy().then(() => process.exit(130)));
await product.start();
try {
  const name = `flood${Date.now().toString(36)}`;
  const me = await product.register(name);
  const peer = await product.register(`${name}p`);
  const sockets = [];
  for (let s = 0; s < SOCKETS; s++) sockets.push(await open(product.chatUrl, me.token));
  const figures = [];
  console.log(`flood: ${SOCKETS} sockets x ${FRAMES} frames per round, ${ROUNDS} rounds (the first is warm-up)`);
  for (let round = 0; round < ROUNDS; round++) {
    // wait for the buckets to refill, so that every round starts alike
    await new Promise((r) => setTimeout(r, 2500));
    const cpu0 = product.cpuMs();
    const t0 = performance.now();
    const results = await Promise.all(sockets.map((ws, s) => flood(ws, peer.username, round, s)));
    const wall = performance.now() - t0;
    const cpu = product.cpuMs() - cpu0;
    const limited = results.reduce((a, r) => a + r.limited, 0);
    const withId = results.reduce((a, r) => a + r.withId, 0);
    const ok = results.reduce((a, r) => a + r.ok, 0);
    figures.push((cpu * 1000) / (limited + ok));
    console.log(`round ${round}${round === 0 ? ' (warm-up)' : ''}: ${limited} RATE_LIMITED (${withId} with clientMsgId), `
      + `${ok} UNKNOWN_TYPE; server CPU ${cpu.toFixed(0)} ms = ${((cpu * 1000) / (limited + ok)).toFixed(1)} us/frame; `
      + `wall ${wall.toFixed(0)} ms`);
  }
  const steady = figures.slice(Math.max(1, figures.length - 4));
  console.log(`steady state (last ${steady.length} rounds): ${(steady.reduce((a, b) => a + b, 0) / steady.length).toFixed(1)} us of server CPU per frame`);
  for (const ws of sockets) ws.close();
} finally {
  await product.destroy();
}
