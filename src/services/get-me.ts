import { can } from "../domain/grant-policy.js";
import { activeRole, type Identity, type Person } from "../domain/person.js";
import { PERMISSIONS, type Permission, type Role } from "../domain/roles.js";
import type { Tenant } from "../domain/tenant.js";
import type { ServiceDeps } from "./deps.js";
import { loadPerson, refreshProfile } from "./register-person.js";

export type Me = {
  identity: Identity;
  person: Person | null;
  role: Role | null;
  /** What the tab may offer; the server checks again on every call. */
  permissions: Permission[];
  tenants: Tenant[];
};

/** Who is signed in to the tab and what they may do, re-read from the store. */
export const getMe = async (deps: ServiceDeps, identity: Identity): Promise<Me> => {
  let stored = await loadPerson(deps, identity);
  if (stored && identity.name && identity.upn) stored = await refreshProfile(deps, stored, identity);
  const person = stored?.value ?? null;
  const now = deps.clock.now();
  return {
    identity,
    person,
    role: person ? activeRole(person, now) : null,
    permissions: person ? PERMISSIONS.filter((p) => can(person, p, null, now)) : [],
    tenants: await deps.tenants.list(),
  };
};
