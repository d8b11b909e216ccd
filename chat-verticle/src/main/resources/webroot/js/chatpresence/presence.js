// The presence server's client: who of the user's contacts is online. After each AUTH the server sends one
// PRESENCE_UPDATE per contact online now, then the changes. After a reconnect, a contact that was online and is
// not in the new snapshot (it went offline while the socket was down) is reported offline once the snapshot
// has settled, so that `online` and the callbacks never keep a stale "online".
import { Connection } from './connection.js';
import { call } from './emitter.js';
export class PresenceClient extends Connection {
    constructor(options) {
        super(options);
        /** A contact went online or offline (`synthetic: true` for an offline inferred after a reconnect). */
        this.onPresenceUpdate = null;
        /** The contacts online now (as of the last AUTH and the updates since). */
        this.online = new Set();
        this.confirmed = null;
        this.settleTimer = null;
        this.presenceOptions = options;
    }
    authenticatedNow(event) {
        if (!event.reconnect || this.online.size === 0)
            return;
        this.confirmed = new Set();
        this.settleTimer = this.clock.setTimeout(() => this.settled(), this.presenceOptions.snapshotSettleMs ?? 1500);
    }
    settled() {
        this.settleTimer = null;
        const confirmed = this.confirmed;
        this.confirmed = null;
        if (!confirmed)
            return;
        const timestamp = new Date(this.clock.now()).toISOString();
        for (const username of [...this.online]) {
            if (confirmed.has(username))
                continue;
            this.update({ type: 'PRESENCE_UPDATE', username, status: 'offline', timestamp, synthetic: true });
        }
    }
    received(frame) {
        if (frame.type === 'PRESENCE_UPDATE' && typeof frame.username === 'string') {
            if (frame.status === 'online')
                this.confirmed?.add(frame.username);
            else
                this.confirmed?.delete(frame.username);
            // an online contact confirmed by the snapshot is no news
            if (!(frame.status === 'online' && this.online.has(frame.username)))
                this.update(frame);
            return;
        }
        this.events.emit(frame.type, frame);
    }
    update(update) {
        if (update.status === 'online')
            this.online.add(update.username);
        else
            this.online.delete(update.username);
        call(this.onPresenceUpdate, update);
        this.events.emit('PRESENCE_UPDATE', update);
    }
    dropped() {
        this.cancelSettle();
    }
    stopped() {
        this.cancelSettle();
    }
    cancelSettle() {
        if (this.settleTimer !== null)
            this.clock.clearTimeout(this.settleTimer);
        this.settleTimer = null;
        this.confirmed = null;
    }
}
