// The presence server's client: who of the user's contacts is online. After each AUTH the server sends one
// PRESENCE_UPDATE per contact online now, then the changes. After a reconnect, a contact that was online and is
// not in the new snapshot (it went offline while the socket was down) is reported offline once the snapshot
// has settled, so that `online` and the callbacks never keep a stale "online".

import { Connection, type ConnectionOptions, type OpenEvent } from './connection.js';
import { call } from './emitter.js';
import type { PresenceUpdate, ServerFrame } from './frames.js';

export interface PresenceClientOptions extends ConnectionOptions {
  /** How long after a re-AUTH the snapshot is awaited before missing contacts are reported offline (default 1500). */
  snapshotSettleMs?: number;
}

export class PresenceClient extends Connection {
  /** A contact went online or offline (`synthetic: true` for an offline inferred after a reconnect). */
  onPresenceUpdate: ((update: PresenceUpdate & { synthetic?: boolean }) => void) | null = null;
  /** The contacts online now (as of the last AUTH and the updates since). */
  readonly online = new Set<string>();
  private confirmed: Set<string> | null = null;
  private settleTimer: unknown = null;
  private readonly presenceOptions: PresenceClientOptions;

  constructor(options: PresenceClientOptions) {
    super(options);
    this.presenceOptions = options;
  }

  protected authenticatedNow(event: OpenEvent): void {
    if (!event.reconnect || this.online.size === 0) return;
    this.confirmed = new Set();
    this.settleTimer = this.clock.setTimeout(() => this.settled(), this.presenceOptions.snapshotSettleMs ?? 1500);
  }

  private settled(): void {
    this.settleTimer = null;
    const confirmed = this.confirmed;
    this.confirmed = null;
    if (!confirmed) return;
    const timestamp = new Date(this.clock.now()).toISOString();
    for (const username of [...this.online]) {
      if (confirmed.has(username)) continue;
      this.update({ type: 'PRESENCE_UPDATE', username, status: 'offline', timestamp, synthetic: true });
    }
  }

  protected received(frame: ServerFrame): void {
    if (frame.type === 'PRESENCE_UPDATE' && typeof frame.username === 'string') {
      if (frame.status === 'online') this.confirmed?.add(frame.username);
      else this.confirmed?.delete(frame.username);
      // an online contact confirmed by the snapshot is no news
      if (!(frame.status === 'online' && this.online.has(frame.username))) this.update(frame);
      return;
    }
    this.events.emit(frame.type, frame);
  }

  private update(update: PresenceUpdate & { synthetic?: boolean }): void {
    if (update.status === 'online') this.online.add(update.username);
    else this.online.delete(update.username);
    call(this.onPresenceUpdate, update);
    this.events.emit('PRESENCE_UPDATE', update);
  }

  protected dropped(): void {
    this.cancelSettle();
  }

  protected stopped(): void {
    this.cancelSettle();
  }

  private cancelSettle(): void {
    if (this.settleTimer !== null) this.clock.clearTimeout(this.settleTimer);
    this.settleTimer = null;
    this.confirmed = null;
  }
}
