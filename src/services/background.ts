import { AsyncLocalStorage } from "node:async_hooks";
import type { Background, Logger } from "./ports.js";

/** Work started while an answer is being prepared: it waits until the answer has gone out. */
type Held = { released: boolean; waiting: Array<() => void> };

/**
 * Work that runs after a turn has answered (card updates, notices). A failure is logged and left to
 * the reconciler, which finds unfinished work in the store; nothing here is the only record of it.
 * Work started inside `whileAnswering` begins once that answer is sent, so that follow-up work never
 * competes with the answer for the store.
 */
export class BackgroundTasks implements Background {
  private readonly running = new Set<Promise<void>>();
  private readonly held = new AsyncLocalStorage<Held>();
  constructor(private readonly logger: Logger) {}

  run(name: string, work: () => Promise<unknown>): void {
    const held = this.held.getStore();
    const start =
      held && !held.released ? new Promise<void>((resolve) => held.waiting.push(resolve)) : Promise.resolve();
    const task: Promise<void> = start
      .then(work)
      .then(
        () => undefined,
        (err: unknown) => this.logger.warn({ err, task: name }, "background work failed; it will be retried"),
      )
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  /**
   * Prepares an answer; background work started meanwhile is held until `release` is called (once the
   * answer is sent). `release` must be called, also when preparing failed: it is returned either way.
   */
  async whileAnswering<T>(
    prepare: () => Promise<T>,
  ): Promise<{ value: T; release: () => void } | { error: unknown; release: () => void }> {
    const held: Held = { released: false, waiting: [] };
    const release = () => {
      held.released = true;
      for (const start of held.waiting.splice(0)) start();
    };
    try {
      return { value: await this.held.run(held, prepare), release };
    } catch (error) {
      return { error, release };
    }
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
