import { activeRole, type Identity, type Person } from "../domain/person.js";
import type { Role } from "../domain/roles.js";
import type { Tenant } from "../domain/tenant.js";
import type { ServiceDeps } from "./deps.js";
import { loadPerson } from "./register-person.js";

export type AccessStatus = {
  identity: Identity;
  person: Person | null;
  role: Role | null;
  tenants: Tenant[];
};

/** Who the person is to the app and what access they have now: one point read. */
export const getAccessStatus = async (
  deps: ServiceDeps,
  identity: Identity,
  profile?: () => Promise<Identity>,
): Promise<AccessStatus> => {
  const stored = await loadPerson(deps, identity, profile);
  const person = stored?.value ?? null;
  return {
    identity,
    person,
    role: person ? activeRole(person, deps.clock.now()) : null,
    tenants: await deps.tenants.list(),
  };
};
