import { randomUUID } from "node:crypto";
import { auditIdFor } from "../domain/audit.js";
import { conflict, invalid, notAllowed, notFound, stale } from "../domain/errors.js";
import { can } from "../domain/grant-policy.js";
import { displayName, type Identity } from "../domain/person.js";
import { cleanText } from "../domain/text.js";
import type { Tenant } from "../domain/tenant.js";
import type { ServiceDeps } from "./deps.js";
import { PreconditionFailed, sameEtag, type Stored } from "./ports.js";
import { requireActor } from "./register-person.js";
import { updatePerson } from "./update-person.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const requireTenantManager = async (deps: ServiceDeps, identity: Identity) => {
  const actor = (await requireActor(deps, identity)).value;
  if (!can(actor, "tenants.manage", null, deps.clock.now())) {
    throw notAllowed("Only MSP Admins manage tenants.", { reason: "not-msp-admin" });
  }
  return actor;
};

const parseDirectory = (deps: ServiceDeps, value: unknown): string | null => {
  if (value === undefined || value === null || value === "") return null;
  const id = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (!GUID.test(id)) throw invalid("Directory id must be an Entra tenant id (a GUID).", { field: "directoryId" });
  if (!deps.policy.allowedDirectoryIds.includes(id)) {
    throw invalid("That directory is not allowed to use Access Desk (ALLOWED_DIRECTORY_IDS).", {
      field: "directoryId",
    });
  }
  return id;
};

const checkUnique = (tenants: readonly Tenant[], self: string | null, name: string, directoryId: string | null) => {
  if (tenants.some((t) => t.id !== self && t.name.toLowerCase() === name.toLowerCase())) {
    throw conflict(`A tenant named "${name}" already exists.`, { field: "name" });
  }
  if (directoryId && tenants.some((t) => t.id !== self && t.directoryId === directoryId)) {
    throw conflict("Another tenant is already linked to that directory.", { field: "directoryId" });
  }
};

/** People of a newly linked directory who belong to no tenant yet move into it (in the background). */
const placeDirectoryPeople = (deps: ServiceDeps, tenant: Tenant) => {
  const directoryId = tenant.directoryId;
  if (!directoryId) return;
  deps.background.run("place-directory-people", async () => {
    for (const person of await deps.people.listWithoutTenant(directoryId, 1_000)) {
      await updatePerson(deps, person.personId, (cur) =>
        cur.homeTenantId === null && cur.directoryId === directoryId ? { ...cur, homeTenantId: tenant.id } : null,
      );
    }
  });
};

/** Tenants are visible to every admin (they pick tenant access); only MSP Admins change them. */
export const listTenants = async (deps: ServiceDeps, identity: Identity): Promise<Stored<Tenant>[]> => {
  await requireActor(deps, identity);
  return deps.tenants.listStored();
};

/** An MSP Admin adds a customer tenant, optionally linked to an Entra directory. */
export const createTenant = async (
  deps: ServiceDeps,
  identity: Identity,
  input: { name: unknown; directoryId?: unknown },
): Promise<Stored<Tenant>> => {
  const actor = await requireTenantManager(deps, identity);
  const name = cleanText("Name", input.name, { min: 1, max: 100 });
  const directoryId = parseDirectory(deps, input.directoryId);
  checkUnique(await deps.tenants.list(), null, name, directoryId);
  const now = deps.clock.now().toISOString();
  const tenant: Tenant = { id: `t-${randomUUID()}`, name, kind: "customer", directoryId, createdAt: now };
  const created = await deps.tenants.create(tenant);
  await deps.audit.append({
    id: auditIdFor("tenant.created", tenant.id),
    personId: "_tenants",
    type: "audit",
    at: now,
    actor: { personId: actor.personId, name: displayName(actor) },
    action: "tenant.created",
    subject: { kind: "tenant", id: tenant.id, name },
    tenantId: tenant.id,
    before: null,
    after: tenant,
    reason: null,
    correlationId: tenant.id,
  });
  placeDirectoryPeople(deps, tenant);
  return created;
};

/** An MSP Admin renames a tenant or links it to a directory, with the ETag they read. */
export const updateTenant = async (
  deps: ServiceDeps,
  identity: Identity,
  input: { tenantId: unknown; etag: string; name?: unknown; directoryId?: unknown },
): Promise<Stored<Tenant>> => {
  const actor = await requireTenantManager(deps, identity);
  const current = typeof input.tenantId === "string" ? await deps.tenants.get(input.tenantId) : undefined;
  if (!current) throw notFound("No such tenant.");
  const name = input.name === undefined ? current.value.name : cleanText("Name", input.name, { min: 1, max: 100 });
  const directoryId =
    input.directoryId === undefined ? current.value.directoryId : parseDirectory(deps, input.directoryId);
  if (current.value.kind === "msp" && directoryId !== current.value.directoryId) {
    throw invalid("The MSP's own tenant stays linked to the MSP's directory.", { field: "directoryId" });
  }
  checkUnique(await deps.tenants.list(), current.value.id, name, directoryId);
  if (!sameEtag(current.etag, input.etag)) throw stale("Someone else changed this tenant. Reload and try again.");
  const next: Tenant = { ...current.value, name, directoryId };
  let saved: Stored<Tenant>;
  try {
    saved = await deps.tenants.replace(next, current.etag);
  } catch (e) {
    if (e instanceof PreconditionFailed) throw stale("Someone else changed this tenant. Reload and try again.");
    throw e;
  }
  const at = deps.clock.now().toISOString();
  await deps.audit.append({
    id: auditIdFor("tenant.updated", `${next.id}-${saved.etag.replace(/[^A-Za-z0-9-]/g, "")}`),
    personId: "_tenants",
    type: "audit",
    at,
    actor: { personId: actor.personId, name: displayName(actor) },
    action: "tenant.updated",
    subject: { kind: "tenant", id: next.id, name },
    tenantId: next.id,
    before: current.value,
    after: next,
    reason: null,
    correlationId: next.id,
  });
  placeDirectoryPeople(deps, next);
  return saved;
};
