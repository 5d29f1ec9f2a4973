import type { Background, Logger } from "./ports.js";

/**
 * Work that runs after a turn has answered (card updates, notices). A failure is logged and left to
 * the reconciler, which finds unfinished work in the store; nothing here is the only record of it.
 */
export class BackgroundTasks implements Background {
  private readonly running = new Set<Promise<void>>();
  constructor(private readonly logger: Logger) {}

  run(name: string, work: () => Promise<unknown>): void {
    const task: Promise<void> = Promise.resolve()
      .then(work)
      .then(
        () => undefined,
        (err: unknown) => this.logger.warn({ err, task: name }, "background work failed; it will be retried"),
      )
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
