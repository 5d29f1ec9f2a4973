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
  jobs: Array<{ name: string; everyMs: number; run: () => Promise<unknown> }>,
): (() => void) => {
  const timers = jobs.map((job) => {
    let running = false;
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        if (await leases.acquire(job.name, holder, job.everyMs * 2, deps.clock.now().getTime())) await job.run();
      } catch (err) {
        deps.logger.warn({ err, job: job.name }, "scheduled work failed; it runs again at the next tick");
      } finally {
        running = false;
      }
    };
    const timer = setInterval(() => void tick(), job.everyMs);
    timer.unref();
    return timer;
  });
  return () => timers.forEach(clearInterval);
};
