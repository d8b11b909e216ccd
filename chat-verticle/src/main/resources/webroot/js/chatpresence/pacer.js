// Client-side pacing that mirrors the server's per-socket token bucket (20 frames/s, burst 40 by default), so
// that a burst of sends is spread out instead of being answered RATE_LIMITED. The bucket is full when a socket
// opens, as the server's is. A margin of two frames absorbs network jitter: frames sent 50 ms apart can arrive
// closer together than that.
const JITTER_MARGIN = 2;
export class Pacer {
    constructor(perSecond, burst, clock, write) {
        this.perSecond = perSecond;
        this.clock = clock;
        this.write = write;
        this.queue = [];
        this.timer = null;
        this.capacity = Math.max(1, burst - JITTER_MARGIN);
        this.tokens = this.capacity;
        this.last = clock.now();
    }
    /** A new socket: a full bucket and nothing queued. */
    reset() {
        this.cancel();
        this.queue.length = 0;
        this.tokens = this.capacity;
        this.last = this.clock.now();
    }
    /** Frames waiting for their turn. */
    get queued() {
        return this.queue.length;
    }
    send(data) {
        this.queue.push(data);
        this.drain();
    }
    /** Forget what waits (the socket is gone; the caller resends what still needs an answer). */
    clear() {
        this.cancel();
        this.queue.length = 0;
    }
    refill() {
        const now = this.clock.now();
        this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.perSecond) / 1000);
        this.last = now;
    }
    drain() {
        if (this.timer !== null)
            return;
        this.refill();
        while (this.queue.length > 0 && this.tokens >= 1) {
            this.tokens -= 1;
            this.write(this.queue.shift());
        }
        if (this.queue.length > 0) {
            const wait = Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
            this.timer = this.clock.setTimeout(() => {
                this.timer = null;
                this.drain();
            }, Math.max(1, wait));
        }
    }
    cancel() {
        if (this.timer !== null) {
            this.clock.clearTimeout(this.timer);
            this.timer = null;
        }
    }
}
