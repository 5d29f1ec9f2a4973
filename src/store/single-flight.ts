/**
 * Concurrent reads of the same document share one request to the store: within one turn the bot's
 * handler and its background bookkeeping often ask for the same person at the same moment. A write
 * forgets the read in flight, so a read that starts after a write has finished always goes to the store.
 */
export class SingleFlight<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  read(key: string, load: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const started = load().finally(() => {
      if (this.inFlight.get(key) === started) this.inFlight.delete(key);
    });
    this.inFlight.set(key, started);
    return started;
  }

  /** Call when a write of `key` has finished. */
  forget(key: string): void {
    this.inFlight.delete(key);
  }
}
