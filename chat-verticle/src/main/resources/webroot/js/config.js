// Where the servers are. The page comes from the chat server, so chat (REST and WebSocket) is this origin.
// The presence server listens on another port of the same host; its address comes from, in order:
//   1. the query parameter ?presence=ws://host:port/   (tests, proxies, unusual deployments)
//   2. <meta name="presence-url" content="ws://...">    (a deployment that rewrites index.html)
//   3. GET /config.json {"presencePort": 5000}          (the chat server's PRESENCE_PORT)
//   4. port 5000 of this host                            (the client document's default)
// ?pageSize=N (1..200) sets the history page size (default 50, as the server).

const DEFAULT_PRESENCE_PORT = 5000;
const DEFAULT_PAGE_SIZE = 50;

function wsUrl(value) {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'ws:' || url.protocol === 'wss:' ? url.href : null;
  } catch {
    return null;
  }
}

export async function loadConfig(loc = window.location, doc = document) {
  const params = new URLSearchParams(loc.search);
  const wsScheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const chatUrl = `${wsScheme}//${loc.host}/`;

  let presenceUrl = wsUrl(params.get('presence'))
    || wsUrl(doc.querySelector('meta[name="presence-url"]')?.getAttribute('content'));
  if (!presenceUrl) {
    let port = DEFAULT_PRESENCE_PORT;
    try {
      const response = await fetch('/config.json', { cache: 'no-store' });
      if (response.ok) {
        const body = await response.json();
        if (Number.isInteger(body.presencePort) && body.presencePort > 0) port = body.presencePort;
      }
    } catch {
      // an older server without /config.json: the default port
    }
    presenceUrl = `${wsScheme}//${loc.hostname}:${port}/`; // hostname keeps IPv6 brackets
  }

  const size = Number.parseInt(params.get('pageSize') ?? '', 10);
  const pageSize = Number.isInteger(size) && size >= 1 && size <= 200 ? size : DEFAULT_PAGE_SIZE;
  return { chatUrl, presenceUrl, apiBase: '/api', pageSize };
}
