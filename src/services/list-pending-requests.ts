import type { AccessRequest } from "../domain/access-request.js";
import { notAllowed } from "../domain/errors.js";
import { can } from "../domain/grant-policy.js";
import { activeRole, type Identity } from "../domain/person.js";
import { ROLE_DEFINITIONS } from "../domain/roles.js";
import type { ServiceDeps } from "./deps.js";
import type { Page } from "./ports.js";
import { loadPerson } from "./register-person.js";

/** The pending requests this admin may decide (never their own), oldest first, one page at a time. */
export const listPendingRequests = async (
  deps: ServiceDeps,
  identity: Identity,
  page: { pageSize: number; continuation?: string | null },
  profile?: () => Promise<Identity>,
): Promise<Page<AccessRequest> & { total: number }> => {
  const stored = await loadPerson(deps, identity, profile);
  const now = deps.clock.now();
  const actor = stored?.value;
  if (!actor || !can(actor, "requests.decide", null, now)) {
    throw notAllowed("Only admins can list pending requests.", { reason: "not-a-decider" });
  }
  const role = activeRole(actor, now)!;
  const access = actor.assignment!.tenantAccess;
  const scope =
    ROLE_DEFINITIONS[role].scope === "all-tenants" || access.kind === "all" ? "all" : { tenantIds: access.tenantIds };
  const [result, total] = await Promise.all([
    deps.requests.listPending(scope, page),
    deps.requests.countPending(scope),
  ]);
  return {
    total,
    items: result.items.filter(
      (r) => r.personId !== actor.personId && can(actor, "requests.decide", { tenantId: r.homeTenantId }, now),
    ),
    continuation: result.continuation,
  };
};
