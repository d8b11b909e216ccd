// A minimal event emitter: on(type, listener) answers a function that removes the listener. A listener that
// throws is reported and does not stop the others, nor the socket handling that called it.
export function reportError(error) {
    const report = globalThis.reportError;
    if (typeof report === 'function')
        report(error);
    else
        console.error('@chatpresence/client: a listener threw', error);
}
export class Emitter {
    constructor() {
        this.listeners = new Map();
    }
    on(type, listener) {
        let set = this.listeners.get(type);
        if (!set) {
            set = new Set();
            this.listeners.set(type, set);
        }
        set.add(listener);
        return () => this.off(type, listener);
    }
    off(type, listener) {
        this.listeners.get(type)?.delete(listener);
    }
    emit(type, event) {
        const set = this.listeners.get(type);
        if (!set || set.size === 0)
            return;
        for (const listener of [...set]) {
            try {
                listener(event);
            }
            catch (error) {
                reportError(error);
            }
        }
    }
    has(type) {
        const set = this.listeners.get(type);
        return set !== undefined && set.size > 0;
    }
}
/** Calls an assignable callback (onPrivateMessage, ...) the same way. */
export function call(callback, value) {
    if (typeof callback !== 'function')
        return;
    try {
        callback(value);
    }
    catch (error) {
        reportError(error);
    }
}
