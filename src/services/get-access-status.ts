import { activeRole, type Identity, type Person } from "../domain/person.js";
import type { Role } from "../domain/roles.js";
import type { Tenant } from "../domain/tenant.js";
import type { ServiceDeps } from "./deps.js";
import { recordDecision } from "./complete-decision.js";
import { endsSoon } from "./govern-access.js";
import { loadPerson, refreshProfile } from "./register-person.js";

export type AccessStatus = {
  identity: Identity;
  person: Person | null;
  role: Role | null;
  tenants: Tenant[];
  /** The access ends soon enough that the person may ask to extend it. */
  extendable: boolean;
  /** Whether new requests are taken, and whom to contact when they are not. */
  requests: { open: boolean; contact: string };
};

/**
 * Who the person is to the app and what access they have now: one point read. When the identity
 * carries a fresher name, UPN or email than the stored person (an admin created from configuration
 * knows only their object id), the stored person is brought up to date.
 */
export const getAccessStatus = async (
  deps: ServiceDeps,
  identity: Identity,
  profile?: () => Promise<Identity>,
): Promise<AccessStatus> => {
  let stored = await loadPerson(deps, identity, profile);
  if (stored && identity.name && identity.upn) stored = await refreshProfile(deps, stored, identity);
  // A decision whose follow-ups were cut short (a crash) is finished before anyone reads its outcome.
  const open = stored?.value.pendingRequest;
  if (stored && open) {
    const request = await deps.requests.get(stored.value.personId, open.requestId);
    if (request && request.value.status !== "pending") {
      await recordDecision(deps, request.value);
      stored = (await deps.people.get(stored.value.personId)) ?? stored;
    }
  }
  const person = stored?.value ?? null;
  return {
    identity,
    person,
    role: person ? activeRole(person, deps.clock.now()) : null,
    tenants: await deps.tenants.list(),
    extendable: person ? endsSoon(deps, person, deps.clock.now()) : false,
    requests: { open: deps.policy.governance.selfRegistration, contact: deps.policy.governance.contact },
  };
};
