import { auditIdFor } from "../domain/audit.js";
import { notAllowed } from "../domain/errors.js";
import { ALL_TENANTS, homeTenantFor, type Tenant } from "../domain/tenant.js";
import { personIdFor, SYSTEM_ACTOR, type Identity, type Person, type PersonSource } from "../domain/person.js";
import { checkDirectory, isInitialAdmin, readPerson } from "./actors.js";
import type { ServiceDeps } from "./deps.js";
import { AlreadyExists, type Stored } from "./ports.js";
import { updatePerson } from "./update-person.js";

const REGISTERED_BECAUSE: Record<PersonSource, string | null> = {
  "initial-admin": "Listed in INITIAL_ADMINS",
  entra: "Account found in Entra ID by directory sync",
  "self-registration": null,
};

/** A new person record for an identity; initial admins start as MSP Admins. */
export const newPerson = (identity: Identity, tenants: readonly Tenant[], source: PersonSource, now: Date): Person => {
  const at = now.toISOString();
  const personId = personIdFor(identity.objectId);
  const directoryId = identity.directoryId.toLowerCase();
  return {
    id: personId,
    personId,
    type: "person",
    objectId: personId,
    directoryId,
    name: identity.name ?? "",
    upn: identity.upn,
    email: identity.email,
    source,
    homeTenantId: homeTenantFor(tenants, directoryId)?.id ?? null,
    enabled: true,
    assignment:
      source === "initial-admin"
        ? {
            role: "msp-admin",
            tenantAccess: ALL_TENANTS,
            expiresAt: null,
            grantedBy: SYSTEM_ACTOR,
            grantedAt: at,
            justification: "Listed in INITIAL_ADMINS",
            requestId: null,
          }
        : null,
    pendingRequest: null,
    requestSeq: 0,
    createdAt: at,
    updatedAt: at,
  };
};

/** Creates a person (idempotently: a concurrent creation wins and is returned) and records it. */
export const createPerson = async (
  deps: ServiceDeps,
  identity: Identity,
  source: PersonSource,
  overrides: Partial<Pick<Person, "enabled" | "disabledByDirectory">> = {},
): Promise<Stored<Person>> => {
  const now = deps.clock.now();
  const person = { ...newPerson(identity, await deps.tenants.list(), source, now), ...overrides };
  let stored: Stored<Person>;
  try {
    stored = await deps.people.create(person);
  } catch (e) {
    if (!(e instanceof AlreadyExists)) throw e;
    const existing = await deps.people.get(person.personId);
    if (!existing) throw e;
    return existing;
  }
  await deps.audit.append({
    id: auditIdFor("person.registered", person.personId),
    personId: person.personId,
    type: "audit",
    at: now.toISOString(),
    actor: source === "self-registration" ? { personId: person.personId, name: person.name } : SYSTEM_ACTOR,
    action: "person.registered",
    subject: { kind: "person", id: person.personId, name: person.name || null },
    tenantId: person.homeTenantId,
    before: null,
    after: { source, enabled: person.enabled, assignment: person.assignment },
    reason: REGISTERED_BECAUSE[source],
    correlationId: person.personId,
  });
  deps.logger.info({ personId: person.personId, source }, "person registered");
  return stored;
};

/** Keeps name, UPN and email as Teams reports them; writes only when something changed. */
export const refreshProfile = async (deps: ServiceDeps, stored: Stored<Person>, identity: Identity) => {
  const p = stored.value;
  const name = identity.name || p.name;
  const upn = identity.upn ?? p.upn;
  const email = identity.email ?? p.email;
  if (name === p.name && upn === p.upn && email === p.email) return stored;
  return updatePerson(
    deps,
    p.personId,
    (cur) => (cur.name === name && cur.upn === upn && cur.email === email ? null : { ...cur, name, upn, email }),
    stored,
  );
};

/**
 * The person behind an identity, as stored; nothing is written for someone the app knows. People
 * unknown to the app are not created here, except initial admins (by object id or UPN), who are
 * enrolled on first contact. `profile` fetches the UPN when an initial admin might be listed by it.
 */
export const loadPerson = async (
  deps: ServiceDeps,
  identity: Identity,
  profile?: () => Promise<Identity>,
): Promise<Stored<Person> | undefined> => {
  const stored = await readPerson(deps, identity);
  if (stored) return stored;
  let who = identity;
  if (
    !isInitialAdmin(deps, who) &&
    who.upn === null &&
    profile &&
    deps.policy.initialAdmins.some((a) => a.includes("@"))
  ) {
    who = await profile();
  }
  return isInitialAdmin(deps, who) ? createPerson(deps, who, "initial-admin") : undefined;
};

/** The person behind an identity, created as a self-registered person when new. */
export const registerPerson = async (deps: ServiceDeps, identity: Identity): Promise<Stored<Person>> => {
  checkDirectory(deps, identity);
  const stored = await loadPerson(deps, identity);
  if (stored) return refreshProfile(deps, stored, identity);
  return createPerson(deps, identity, "self-registration");
};

/** The acting person, re-read from the store; someone unknown to the app has no access. */
export const requireActor = async (
  deps: ServiceDeps,
  identity: Identity,
  profile?: () => Promise<Identity>,
): Promise<Stored<Person>> => {
  const stored = await loadPerson(deps, identity, profile);
  if (!stored) throw notAllowed("You do not have access to Access Desk.", { reason: "no-access" });
  return stored;
};
