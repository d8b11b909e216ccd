// Client-side pacing that mirrors the server's per-socket token bucket (20 frames/s, burst 40 by default), so
// that a burst of sends is spread out instead of being answered RATE_LIMITED. The bucket is full when a socket
// opens, as the server's is. A margin of two frames absorbs network jitter: frames sent 50 ms apart can arrive
// closer together than that.

import type { Clock } from './connection.js';

const JITTER_MARGIN = 2;

export class Pacer {
  private tokens: number;
  private last: number;
  private readonly queue: string[] = [];
  private timer: unknown = null;
  private readonly capacity: number;

  constructor(
    private readonly perSecond: number,
    burst: number,
    private readonly clock: Clock,
    private readonly write: (data: string) => void,
  ) {
    this.capacity = Math.max(1, burst - JITTER_MARGIN);
    this.tokens = this.capacity;
    this.last = clock.now();
  }

  /** A new socket: a full bucket and nothing queued. */
  reset(): void {
    this.cancel();
    this.queue.length = 0;
    this.tokens = this.capacity;
    this.last = this.clock.now();
  }

  /** Frames waiting for their turn. */
  get queued(): number {
    return this.queue.length;
  }

  send(data: string): void {
    this.queue.push(data);
    this.drain();
  }

  /** Forget what waits (the socket is gone; the caller resends what still needs an answer). */
  clear(): void {
    this.cancel();
    this.queue.length = 0;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.perSecond) / 1000);
    this.last = now;
  }

  private drain(): void {
    if (this.timer !== null) return;
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.write(this.queue.shift() as string);
    }
    if (this.queue.length > 0) {
      const wait = Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        this.drain();
      }, Math.max(1, wait));
    }
  }

  private cancel(): void {
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
