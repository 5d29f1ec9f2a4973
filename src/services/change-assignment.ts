import { conflict, invalid } from "../domain/errors.js";
import { expiresAtFor, isExpiryChoice } from "../domain/expiry.js";
import { checkGrant, checkManage, normalizeTenantAccess } from "../domain/grant-policy.js";
import { activeRole, displayName, type Assignment, type Identity, type Person } from "../domain/person.js";
import { isRole } from "../domain/roles.js";
import { cleanText, REASON_MAX } from "../domain/text.js";
import { resolveTenantAccess } from "./decide-access-request.js";
import type { ServiceDeps } from "./deps.js";
import { checkFresh, commitPersonChange, readPersonById } from "./person-changes.js";
import type { Stored } from "./ports.js";
import { requireActor } from "./register-person.js";

export type AssignmentInput = {
  actor: Identity;
  personId: unknown;
  /** The ETag the client read the person with. */
  etag: string;
  /** A role, or null to take access away. */
  role: unknown;
  tenantAccess?: unknown;
  expiry?: unknown;
  reason: unknown;
  /** "grant" makes a person without access a user (the seed's promote); "change" edits an existing user. */
  mode: "grant" | "change";
};

/**
 * An admin sets a person's role, tenant access and expiry (or takes access away) from the People tab.
 * The actor's rights and the person are re-read; the write is conditional on the ETag the admin saw.
 */
export const changeAssignment = async (deps: ServiceDeps, input: AssignmentInput): Promise<Stored<Person>> => {
  const reason = cleanText("Reason", input.reason, { min: 1, max: REASON_MAX });
  const actor = (await requireActor(deps, input.actor)).value;
  const target = await readPersonById(deps, input.personId);
  const now = deps.clock.now();
  const person = target.value;
  checkManage(actor, person, now);
  checkFresh(target, input.etag);
  if (!person.enabled) throw invalid("This person is disabled: enable them first.", { field: "enabled" });
  const hasAccess = activeRole(person, now) !== null;
  if (input.mode === "grant" && hasAccess) {
    throw conflict("This person already has access: change their assignment instead.", { personId: person.personId });
  }

  let assignment: Assignment | null = null;
  if (input.role !== null) {
    if (!isRole(input.role)) throw invalid("Role is not one of the offered roles.", { field: "role" });
    if (!isExpiryChoice(input.expiry)) throw invalid("Expiry is not one of the offered choices.", { field: "expiry" });
    const tenantAccess = normalizeTenantAccess(input.role, await resolveTenantAccess(deps, input.tenantAccess));
    checkGrant(actor, { role: input.role, tenantAccess }, now);
    assignment = {
      role: input.role,
      tenantAccess,
      expiresAt: expiresAtFor(input.expiry, now),
      grantedBy: { personId: actor.personId, name: displayName(actor) },
      grantedAt: now.toISOString(),
      justification: reason,
      requestId: null,
    };
  } else if (input.mode === "grant") {
    throw invalid("Choose the role to grant.", { field: "role" });
  }

  const action = assignment === null ? "assignment.revoked" : hasAccess ? "assignment.changed" : "assignment.granted";
  return commitPersonChange(
    deps,
    target,
    input.etag,
    { ...person, assignment },
    {
      action,
      actor: { personId: actor.personId, name: displayName(actor) },
      reason,
      before: { assignment: person.assignment },
      after: { assignment },
      correlationId: `${person.personId}-${now.getTime()}`,
    },
  );
};
