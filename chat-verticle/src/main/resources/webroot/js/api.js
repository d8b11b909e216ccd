// The REST API (docs/protocol.md, "REST"). Errors become ApiError with the server's code and message.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status; // 0: the server could not be reached
    this.code = code;
  }
}

export class Api {
  constructor(base = '/api') {
    this.base = base;
    this.token = null;
  }

  async call(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let response;
    try {
      response = await fetch(this.base + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The server could not be reached. Check your connection and try again.');
    }
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch {
      // not JSON: handled below
    }
    if (!response.ok) {
      throw new ApiError(response.status, data?.error || 'HTTP_' + response.status,
        data?.message || `The server answered ${response.status}.`);
    }
    return data;
  }

  register(username, password) { return this.call('POST', '/auth/register', { username, password }); }
  login(username, password) { return this.call('POST', '/auth/login', { username, password }); }
  logout() { return this.call('POST', '/auth/logout'); }
  me() { return this.call('GET', '/me'); }
  users(prefix) { return this.call('GET', '/users?q=' + encodeURIComponent(prefix)); }
  openChat(username) { return this.call('POST', '/chats', { with: username }); }
  chats() { return this.call('GET', '/chats'); }
  createGroup(name) { return this.call('POST', '/groups', { name }); }
  groups() { return this.call('GET', '/groups'); }
}
