import type { AccessRequest, Grant } from "./access-request.js";
import { invalid, notAllowed } from "./errors.js";
import { activeRole, type Person } from "./person.js";
import { ROLE_DEFINITIONS, ROLES_BY_PRIVILEGE, roleHas, roleLabel, type Permission, type Role } from "./roles.js";
import { ALL_TENANTS, tenantAccessIncludes, type Tenant, type TenantAccess } from "./tenant.js";

/** The person acting, as re-read from the store for every action. */
export type Actor = Pick<Person, "personId" | "name" | "enabled" | "assignment" | "homeTenantId">;

/** What an action is about: the tenant of the person it touches (null when their directory has no tenant). */
export type Target = { tenantId: string | null };

/** The single permission check: active role, the role's permissions, and the role's reach over tenants. */
export const can = (actor: Actor, permission: Permission, target: Target | null, now: Date): boolean => {
  const role = activeRole(actor, now);
  if (role === null || !roleHas(role, permission)) return false;
  if (target === null || ROLE_DEFINITIONS[role].scope === "all-tenants") return true;
  if (target.tenantId === null) return false;
  return tenantAccessIncludes(actor.assignment!.tenantAccess, target.tenantId);
};

/** Roles this actor may grant right now, least privileged first. */
export const rolesGrantableBy = (actor: Actor, now: Date): Role[] => {
  const role = activeRole(actor, now);
  if (role === null || !roleHas(role, "assignments.grant")) return [];
  const grants: readonly Role[] = ROLE_DEFINITIONS[role].grants;
  return ROLES_BY_PRIVILEGE.filter((r) => grants.includes(r));
};

/** The role a decision card proposes: the least privileged role meant for the requester's side. */
export const defaultRoleFor = (homeTenant: Pick<Tenant, "kind"> | undefined): Role =>
  homeTenant?.kind === "msp" ? "msp-user" : "customer-user";

const refuseInactive = (actor: Actor, now: Date): never => {
  if (!actor.enabled) throw notAllowed("Your account is disabled.", { reason: "disabled" });
  if (actor.assignment && activeRole(actor, now) === null) {
    throw notAllowed("Your access has expired.", { reason: "expired" });
  }
  throw notAllowed("You do not have access to Access Desk.", { reason: "no-access" });
};

/** Shapes the tenant access a role may carry: MSP Admin reaches all, customer roles exactly one tenant. */
export const normalizeTenantAccess = (role: Role, requested: TenantAccess): TenantAccess => {
  const scope = ROLE_DEFINITIONS[role].scope;
  if (scope === "all-tenants") return ALL_TENANTS;
  if (requested.kind === "tenants") {
    const ids = [...new Set(requested.tenantIds)];
    if (ids.length === 0) throw invalid("Choose at least one tenant.", { field: "tenantAccess" });
    if (scope === "own-tenant" && ids.length !== 1) {
      throw invalid(`${roleLabel(role)} covers exactly one tenant: choose one.`, { field: "tenantAccess" });
    }
    return { kind: "tenants", tenantIds: ids };
  }
  if (scope === "own-tenant") {
    throw invalid(`${roleLabel(role)} covers exactly one tenant, not all tenants: choose one.`, {
      field: "tenantAccess",
    });
  }
  return ALL_TENANTS;
};

/** May this actor grant this role with this tenant access? Throws the reason when not. */
export const checkGrant = (actor: Actor, grant: Pick<Grant, "role" | "tenantAccess">, now: Date): void => {
  const role = activeRole(actor, now);
  if (role === null) refuseInactive(actor, now);
  const grantable = rolesGrantableBy(actor, now);
  if (!grantable.includes(grant.role)) {
    throw notAllowed(
      grantable.length === 0
        ? "You may not grant roles."
        : `You may not grant ${roleLabel(grant.role)}; you may grant: ${grantable.map(roleLabel).join(", ")}.`,
      { reason: "role-above-grant", role: grant.role },
    );
  }
  if (ROLE_DEFINITIONS[role!].scope === "all-tenants") return;
  const own = actor.assignment!.tenantAccess;
  const wanted = grant.tenantAccess;
  const covered = wanted.kind === "tenants" && wanted.tenantIds.every((id) => tenantAccessIncludes(own, id));
  if (!covered) {
    throw notAllowed("You may grant access only to tenants you manage.", { reason: "tenant-outside-scope" });
  }
};

/** May this actor decide this request (and, for an approval, grant this)? Throws the reason when not. */
export const checkDecision = (actor: Actor, request: AccessRequest, grant: Grant | null, now: Date): void => {
  if (actor.personId === request.personId) {
    throw notAllowed("You cannot decide your own request.", { reason: "self-decision" });
  }
  if (activeRole(actor, now) === null) refuseInactive(actor, now);
  if (!can(actor, "requests.decide", { tenantId: request.homeTenantId }, now)) {
    throw notAllowed(
      roleHas(activeRole(actor, now)!, "requests.decide")
        ? "You may decide only requests from your own tenant."
        : "Only admins may decide access requests.",
      { reason: "not-a-decider" },
    );
  }
  if (grant) checkGrant(actor, grant, now);
};

/** May this actor see this person? Everyone active may see themselves; admins see people in their reach. */
export const checkRead = (actor: Actor, target: Pick<Person, "personId" | "homeTenantId">, now: Date): void => {
  if (activeRole(actor, now) === null) refuseInactive(actor, now);
  if (actor.personId === target.personId) return;
  if (!can(actor, "people.read", { tenantId: target.homeTenantId }, now)) {
    throw notAllowed("You may not see this person.", { reason: "outside-scope" });
  }
};

/**
 * May this actor change this person (role, tenant access, expiry, enabled)? Not themselves; only
 * people in their reach; and only people whose current role they could grant, so that nobody
 * changes someone above them.
 */
export const checkManage = (
  actor: Actor,
  target: Pick<Person, "personId" | "homeTenantId" | "enabled" | "assignment">,
  now: Date,
): void => {
  if (activeRole(actor, now) === null) refuseInactive(actor, now);
  if (actor.personId === target.personId) {
    throw notAllowed("You cannot change your own access; ask another admin.", { reason: "self-change" });
  }
  if (!can(actor, "people.manage", { tenantId: target.homeTenantId }, now)) {
    throw notAllowed("You may not manage this person.", { reason: "outside-scope" });
  }
  const current = target.assignment?.role;
  if (current && !rolesGrantableBy(actor, now).includes(current)) {
    throw notAllowed(`You may not change a ${roleLabel(current)}.`, { reason: "target-above-actor" });
  }
};
