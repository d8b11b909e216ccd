// The few REST calls the library makes itself (blocking has no WebSocket frame): the chat server's /api/ on the
// socket's host, with the same token as the socket (bearer). Errors become ChatPresenceError with the body's
// `error` code, and the HTTP status.
import { ChatPresenceError } from './connection.js';
/** ws://host:port/ -> http://host:port/api (wss -> https). */
export function apiBaseOf(wsUrl) {
    const url = new URL(wsUrl);
    url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
    url.pathname = '/api';
    url.search = '';
    url.hash = '';
    return url.href;
}
export class Rest {
    constructor(base, token, fetchImpl) {
        this.base = base;
        this.token = token;
        this.fetchImpl = fetchImpl;
    }
    async call(method, path, body) {
        const impl = this.fetchImpl();
        if (!impl)
            throw new ChatPresenceError('UNAVAILABLE', 'No fetch: pass options.fetch');
        const source = this.token;
        const token = typeof source === 'function' ? await source() : source;
        const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
        if (body !== undefined)
            headers['Content-Type'] = 'application/json';
        let response;
        try {
            response = await impl(this.base() + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
        }
        catch (error) {
            throw new ChatPresenceError('DISCONNECTED', `the server could not be reached: ${error?.message ?? error}`);
        }
        if (response.status === 204)
            return undefined;
        let data = null;
        try {
            data = await response.json();
        }
        catch {
            // not JSON: the status says it
        }
        if (!response.ok) {
            throw new ChatPresenceError(data?.error ?? `HTTP_${response.status}`, data?.message ?? `the server answered ${response.status}`, undefined, response.status);
        }
        return data;
    }
}
