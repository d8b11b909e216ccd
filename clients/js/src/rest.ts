// The few REST calls the library makes itself (blocking has no WebSocket frame): the chat server's /api/ on the
// socket's host, with the same token as the socket (bearer). Errors become ChatPresenceError with the body's
// `error` code, and the HTTP status.

import { ChatPresenceError } from './connection.js';
import type { TokenSource } from './connection.js';

export type FetchLike = (url: string, init: {
  method: string; headers: Record<string, string>; body?: string;
}) => Promise<{ status: number; ok: boolean; json(): Promise<any> }>;

/** ws://host:port/ -> http://host:port/api (wss -> https). */
export function apiBaseOf(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/api';
  url.search = '';
  url.hash = '';
  return url.href;
}

export class Rest {
  constructor(private readonly base: () => string, private readonly token: TokenSource,
    private readonly fetchImpl: () => FetchLike | undefined) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const impl = this.fetchImpl();
    if (!impl) throw new ChatPresenceError('UNAVAILABLE', 'No fetch: pass options.fetch');
    const source = this.token;
    const token = typeof source === 'function' ? await source() : source;
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await impl(this.base() + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new ChatPresenceError('DISCONNECTED', `the server could not be reached: ${(error as Error)?.message ?? error}`);
    }
    if (response.status === 204) return undefined as T;
    let data: any = null;
    try {
      data = await response.json();
    } catch {
      // not JSON: the status says it
    }
    if (!response.ok) {
      throw new ChatPresenceError(data?.error ?? `HTTP_${response.status}`,
        data?.message ?? `the server answered ${response.status}`, undefined, response.status);
    }
    return data as T;
  }
}
