import type { ServiceDeps } from "./deps.js";
import type { LeaseStore } from "./ports.js";

/**
 * Runs periodic work on every instance without doubling it: each run first takes a lease in the
 * store, so only one instance works at a time; if it dies, its lease lapses and another takes over.
 */
export const startScheduled = (
  deps: ServiceDeps,
  leases: LeaseStore,
  holder: string,
  /** `leaseMs` (default: two periods) bounds how long a run may hold off other instances. */
  jobs: Array<{ name: string; everyMs: number; leaseMs?: number; run: () => Promise<unknown> }>,
): (() => Promise<void>) => {
  const running = new Set<Promise<void>>();
  let stopped = false;
  const timers = jobs.map((job) => {
    let busy = false;
    const tick = async () => {
      if (busy || stopped) return;
      busy = true;
      try {
        if (await leases.acquire(job.name, holder, job.leaseMs ?? job.everyMs * 2, deps.clock.now().getTime()))
          await job.run();
      } catch (err) {
        deps.logger.warn({ err, job: job.name }, "scheduled work failed; it runs again at the next tick");
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => {
      const run = tick();
      running.add(run);
      void run.finally(() => running.delete(run));
    }, job.everyMs);
    timer.unref();
    return timer;
  });
  /** Stops the timers and waits for work already running. */
  return async () => {
    stopped = true;
    timers.forEach(clearInterval);
    await Promise.allSettled([...running]);
  };
};
