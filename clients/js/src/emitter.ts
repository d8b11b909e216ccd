// A minimal event emitter: on(type, listener) answers a function that removes the listener. A listener that
// throws is reported and does not stop the others, nor the socket handling that called it.

export type Listener = (event: any) => void;

export function reportError(error: unknown): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (typeof report === 'function') report(error);
  else console.error('@chatpresence/client: a listener threw', error);
}

export class Emitter {
  private readonly listeners = new Map<string, Set<Listener>>();

  on(type: string, listener: Listener): () => void {
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener);
    return () => this.off(type, listener);
  }

  off(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener);
  }

  emit(type: string, event: unknown): void {
    const set = this.listeners.get(type);
    if (!set || set.size === 0) return;
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch (error) {
        reportError(error);
      }
    }
  }

  has(type: string): boolean {
    const set = this.listeners.get(type);
    return set !== undefined && set.size > 0;
  }
}

/** Calls an assignable callback (onPrivateMessage, ...) the same way. */
export function call<T>(callback: ((value: T) => void) | null | undefined, value: T): void {
  if (typeof callback !== 'function') return;
  try {
    callback(value);
  } catch (error) {
    reportError(error);
  }
}
