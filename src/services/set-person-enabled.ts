import { checkManage } from "../domain/grant-policy.js";
import { displayName, type Identity, type Person } from "../domain/person.js";
import { cleanText, REASON_MAX } from "../domain/text.js";
import type { ServiceDeps } from "./deps.js";
import { checkFresh, commitPersonChange, readPersonById } from "./person-changes.js";
import type { Stored } from "./ports.js";
import { requireActor } from "./register-person.js";

/**
 * An admin disables or re-enables a person. A disabled person keeps their record (and assignment)
 * but can do nothing; offboarding is one click, and reversible.
 */
export const setPersonEnabled = async (
  deps: ServiceDeps,
  input: { actor: Identity; personId: unknown; etag: string; enabled: boolean; reason: unknown },
): Promise<Stored<Person>> => {
  const reason = cleanText("Reason", input.reason, { min: 1, max: REASON_MAX });
  const actor = (await requireActor(deps, input.actor)).value;
  const target = await readPersonById(deps, input.personId);
  checkManage(actor, target.value, deps.clock.now());
  checkFresh(target, input.etag);
  if (target.value.enabled === input.enabled) return target;
  return commitPersonChange(
    deps,
    target,
    input.etag,
    // An admin's own choice: directory sync no longer re-enables this person by itself.
    { ...target.value, enabled: input.enabled, disabledByDirectory: null },
    {
      action: input.enabled ? "person.enabled" : "person.disabled",
      actor: { personId: actor.personId, name: displayName(actor) },
      reason,
      before: { enabled: target.value.enabled },
      after: { enabled: input.enabled },
      correlationId: `${target.value.personId}-${deps.clock.now().getTime()}`,
    },
  );
};
