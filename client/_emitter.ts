// Typed events with listeners that cannot break their emitter.

type Listener<T> = (event: T) => void;

export class Emitter<E> {
  #listeners = new Map<keyof E, Set<Listener<unknown>>>();

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof E>(type: K, listener: (event: E[K]) => void): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, set = new Set());
    set.add(listener as Listener<unknown>);
    return () => set!.delete(listener as Listener<unknown>);
  }

  emit<K extends keyof E>(type: K, event: E[K]): void {
    for (const listener of this.#listeners.get(type) ?? []) {
      try {
        listener(event);
      } catch {
        // a throwing listener must not break the client
      }
    }
  }
}
