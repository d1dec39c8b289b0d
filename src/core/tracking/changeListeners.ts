import type { Disposable } from './trackingTypes';

/**
 * The listeners of a store's `onDidChange`: a listener that throws is skipped, because a broken
 * view must not break the store that notifies it.
 */
export class ChangeListeners<T> {
  private readonly listeners = new Set<(change: T) => void>();

  add(listener: (change: T) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  emit(change: T): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // see the class comment
      }
    }
  }
}
