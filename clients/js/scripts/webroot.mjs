// The web client (chat-verticle's webroot, plain ES modules with no build step) imports this library from
// webroot/js/chatpresence/: a byte-for-byte copy of dist/*.js, committed, so that a fresh clone's
// `bin/vertx run all` and `mvn -B verify` need no Node.js. `--write` copies (after `npm run build`), `--check`
// fails when the copy differs from dist (the unit tests and .ci/run check it).
import fs from 'node:fs';
import path from 'node:path';

const here = path.resolve(import.meta.dirname, '..');
const dist = path.join(here, 'dist');
export const WEBROOT_COPY = path.resolve(here, '../../chat-verticle/src/main/resources/webroot/js/chatpresence');

export function differences() {
  const built = fs.readdirSync(dist).filter((f) => f.endsWith('.js')).sort();
  const copied = fs.existsSync(WEBROOT_COPY) ? fs.readdirSync(WEBROOT_COPY).filter((f) => f.endsWith('.js')).sort() : [];
  const out = [];
  for (const f of built) {
    if (!copied.includes(f)) out.push(`${f}: missing from the webroot`);
    else if (!fs.readFileSync(path.join(dist, f)).equals(fs.readFileSync(path.join(WEBROOT_COPY, f)))) out.push(`${f}: differs`);
  }
  for (const f of copied) if (!built.includes(f)) out.push(`${f}: in the webroot but not built`);
  return out;
}

if (process.argv[1] === import.meta.filename) {
  if (process.argv.includes('--write')) {
    fs.rmSync(WEBROOT_COPY, { recursive: true, force: true });
    fs.mkdirSync(WEBROOT_COPY, { recursive: true });
    for (const f of fs.readdirSync(dist).filter((x) => x.endsWith('.js'))) {
      fs.copyFileSync(path.join(dist, f), path.join(WEBROOT_COPY, f));
    }
    console.log(`copied dist/*.js to ${path.relative(process.cwd(), WEBROOT_COPY)}`);
  } else {
    const diff = differences();
    if (diff.length) {
      console.error(`webroot/js/chatpresence is not what \`npm run build\` gives; run \`npm run build && npm run webroot\`:\n  ${diff.join('\n  ')}`);
      process.exit(1);
    }
    console.log('webroot/js/chatpresence matches dist');
  }
}
