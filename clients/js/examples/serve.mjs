// Serves examples/page.html and the built library on http://localhost:5173 (an app on its own origin).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const PORT = Number(process.env.PORT || 5173);
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const file = url.pathname === '/' ? path.join(root, 'examples/page.html')
    : url.pathname.startsWith('/dist/') ? path.join(root, 'dist', path.basename(url.pathname)) : null;
  if (!file || !fs.existsSync(file)) return res.writeHead(404).end();
  res.writeHead(200, { 'Content-Type': file.endsWith('.html') ? 'text/html' : 'text/javascript' });
  res.end(fs.readFileSync(file));
}).listen(PORT, 'localhost', () => console.log(`http://localhost:${PORT}/ (Ctrl-C to stop)`));
