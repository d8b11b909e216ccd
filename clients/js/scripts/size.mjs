// The library's size as an app ships it: dist/ bundled and minified by esbuild, then gzip -9.
import { buildSync } from 'esbuild';
import zlib from 'node:zlib';

const out = buildSync({ entryPoints: [new URL('../dist/index.js', import.meta.url).pathname], bundle: true,
  minify: true, format: 'esm', write: false, target: 'es2020' });
const code = out.outputFiles[0].contents;
const gz = zlib.gzipSync(code, { level: 9 });
console.log(`minified ${(code.length / 1024).toFixed(1)} KB, minified + gzip -9 ${(gz.length / 1024).toFixed(1)} KB (${gz.length} bytes)`);
