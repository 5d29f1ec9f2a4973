import { completeDecision } from "./complete-decision.js";
import type { ServiceDeps } from "./deps.js";
import { recordChange } from "./person-changes.js";
import { announceWaitingRequests } from "./set-admin-channel.js";

/**
 * Finishes what a crash or an unreachable Teams left undone: decisions whose follow-ups did not all
 * land, direct changes whose audit event did not land, and pending requests without a card. Every step it repeats is idempotent.
 */
export const reconcile = async (deps: ServiceDeps): Promise<{ decisions: number; announced: number }> => {
  const unfinished = await deps.requests.listUnfinished(200);
  for (const request of unfinished) {
    try {
      await completeDecision(deps, request);
    } catch (e) {
      deps.logger.warn({ err: e, requestId: request.id }, "could not finish a decision; will retry");
    }
  }
  for (const person of await deps.people.listUnrecordedChanges(200)) {
    const stored = await deps.people.get(person.personId);
    if (stored) await recordChange(deps, stored);
  }
  let announced = 0;
  if (await deps.settings.getAdminChannel()) announced = await announceWaitingRequests(deps);
  return { decisions: unfinished.length, announced };
};
