import { transition, type AccessRequest } from "../domain/access-request.js";
import { conflict } from "../domain/errors.js";
import { displayName, type Identity } from "../domain/person.js";
import { completeDecision } from "./complete-decision.js";
import type { ServiceDeps } from "./deps.js";
import { PreconditionFailed } from "./ports.js";
import { readPerson } from "./actors.js";

/** The requester withdraws their pending request; the admins' card shows it was cancelled. */
export const cancelAccessRequest = async (
  deps: ServiceDeps,
  identity: Identity,
): Promise<{ kind: "cancelled"; request: AccessRequest } | { kind: "nothing-pending" }> => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const person = await readPerson(deps, identity);
    const pending = person?.value.pendingRequest;
    if (!person || !pending) return { kind: "nothing-pending" };
    const stored = await deps.requests.get(person.value.personId, pending.requestId);
    if (!stored || stored.value.status !== "pending") return { kind: "nothing-pending" };
    const by = { personId: person.value.personId, name: displayName(person.value) };
    const next = transition(stored.value, { type: "cancel", by, at: deps.clock.now().toISOString() });
    try {
      const saved = await deps.requests.replace(next, stored.etag);
      deps.logger.info({ requestId: saved.value.id }, "access request cancelled");
      await completeDecision(deps, saved.value);
      return { kind: "cancelled", request: saved.value };
    } catch (e) {
      if (!(e instanceof PreconditionFailed)) throw e;
    }
  }
  throw conflict("Your request changed while cancelling; try again.");
};
