import {
  personIdOfRequest,
  transition,
  type AccessRequest,
  type Grant,
  type RequestEvent,
} from "../domain/access-request.js";
import { conflict, invalid, notAllowed, notFound } from "../domain/errors.js";
import { expiresAtFor, isExpiryChoice } from "../domain/expiry.js";
import { checkDecision, normalizeTenantAccess } from "../domain/grant-policy.js";
import { displayName, type Identity } from "../domain/person.js";
import { isRole } from "../domain/roles.js";
import { cleanText, REASON_MAX } from "../domain/text.js";
import type { Tenant, TenantAccess } from "../domain/tenant.js";
import { completeDecision, decisionEvent, personAfter, publishDecision } from "./complete-decision.js";
import type { ServiceDeps } from "./deps.js";
import { PreconditionFailed, type DecisionState } from "./ports.js";
import { loadPerson } from "./register-person.js";

/** An approval or a denial as a client sent it: nothing here is trusted until checked. */
export type DecisionInput =
  | { kind: "approve"; role: unknown; tenantAccess: unknown; expiry: unknown; comment?: unknown }
  | { kind: "deny"; reason: unknown };

export type DecideInput = {
  actor: Identity;
  requestId: unknown;
  decision: DecisionInput;
  profile?: () => Promise<Identity>;
};

const ATTEMPTS = 5;

/**
 * Tenant access from a client, checked against the tenants that exist: the cached list first, a fresh
 * read when it names a tenant the cache does not know yet (created moments ago, maybe on another instance).
 */
export const resolveTenantAccess = async (deps: ServiceDeps, value: unknown): Promise<TenantAccess> => {
  try {
    return parseTenantAccess(value, await deps.tenants.list());
  } catch (e) {
    const fresh = (await deps.tenants.listStored()).map((t) => t.value);
    return parseTenantAccess(value, fresh);
  }
};

/** "all" or a list of known tenant ids; anything else is refused. */
export const parseTenantAccess = (value: unknown, tenants: readonly Tenant[]): TenantAccess => {
  if (value === "all") return { kind: "all" };
  const ids =
    typeof value === "string"
      ? value
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : value;
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== "string")) {
    throw invalid("Tenant access must be all tenants or a list of tenants.", { field: "tenantAccess" });
  }
  if (ids.includes("all")) {
    if (ids.length === 1) return { kind: "all" };
    throw invalid("Choose all tenants or specific tenants, not both.", { field: "tenantAccess" });
  }
  const unknown = ids.filter((id) => !tenants.some((t) => t.id === id));
  if (unknown.length > 0) throw invalid("Tenant access names a tenant that does not exist.", { field: "tenantAccess" });
  return { kind: "tenants", tenantIds: ids as string[] };
};

const eventFor = (
  decision: DecisionInput,
  grant: Grant | null,
  by: { personId: string; name: string },
  at: string,
): RequestEvent => {
  if (decision.kind === "approve") {
    const comment = cleanText("Comment", decision.comment, { min: 0, max: REASON_MAX });
    return { type: "approve", by, at, grant: grant!, comment: comment || null };
  }
  return { type: "deny", by, at, reason: cleanText("Reason", decision.reason, { min: 1, max: REASON_MAX }) };
};

/**
 * An admin approves or denies a request. The request and the actor's own assignment are re-read from
 * the store; the decision commits with one conditional write of the request (pending → decided), so
 * of any number of concurrent clicks exactly one wins and the others learn who decided and when.
 */
export type DecideResult =
  { kind: "decided"; request: AccessRequest } | { kind: "already-decided"; request: AccessRequest };

export const decideAccessRequest = async (deps: ServiceDeps, input: DecideInput): Promise<DecideResult> => {
  const requestId = typeof input.requestId === "string" ? input.requestId : "";
  const personId = personIdOfRequest(requestId);
  if (!personId) throw notFound("No such request.", { requestId: String(input.requestId).slice(0, 80) });

  const actorStored = await loadPerson(deps, input.actor, input.profile);
  if (!actorStored) throw notAllowed("Only admins may decide access requests.", { reason: "no-access" });
  const actor = actorStored.value;
  // An admin created from configuration may have no stored name yet: Teams sent it with the click.
  const by = { personId: actor.personId, name: actor.name || input.actor.name || displayName(actor) };

  // The request, the requester and the audit chain: read together, then written together.
  let state: DecisionState | undefined = await deps.decisions.read(personId, requestId);
  if (!state) throw notFound("No such request.", { requestId });

  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const request = state.request.value;
    const now = deps.clock.now();
    // Authorise before revealing anything about the request's state.
    checkDecision(actor, request, null, now);
    if (request.status !== "pending") {
      if (request.unfinished) deps.background.run("complete-decision", () => completeDecision(deps, request));
      deps.logger.info(
        { requestId, actor: actor.personId, status: request.status },
        "decision refused: already decided",
      );
      return { kind: "already-decided", request };
    }
    let grant: Grant | null = null;
    if (input.decision.kind === "approve") {
      const { role, expiry } = input.decision;
      if (!isRole(role)) throw invalid("Role is not one of the offered roles.", { field: "role" });
      if (!isExpiryChoice(expiry)) throw invalid("Expiry is not one of the offered choices.", { field: "expiry" });
      const tenantAccess = normalizeTenantAccess(role, await resolveTenantAccess(deps, input.decision.tenantAccess));
      grant = { role, tenantAccess, expiresAt: expiresAtFor(expiry, now) };
      checkDecision(actor, request, grant, now);
      if (state.person && !state.person.value.enabled) {
        throw invalid("This person is disabled: enable them in the People tab before granting access.", {
          field: "enabled",
        });
      }
    }
    // The decision, the requester's new assignment and the audit event go in one transactional write. The
    // request is the commit point and still lists those two as to do: should they not have landed, the
    // reconciler's idempotent steps finish them, so the batch's atomicity is a saving, not the guarantee.
    const decided = transition(request, eventFor(input.decision, grant, by, now.toISOString()));
    const requester = state.person?.value;
    try {
      await deps.decisions.commit(
        state,
        decided,
        requester ? personAfter(requester, decided) : null,
        decisionEvent(decided, requester),
      );
      if (deps.crashPoint?.name === "after-decision-commit") deps.crashPoint.crash();
      deps.logger.info(
        { requestId, actor: actor.personId, outcome: decided.status, role: grant?.role ?? null },
        "access request decided",
      );
      deps.background.run("publish-decision", () => publishDecision(deps, decided, { recorded: true }));
      return { kind: "decided", request: decided };
    } catch (e) {
      if (!(e instanceof PreconditionFailed)) throw e;
      state = await deps.decisions.read(personId, requestId);
      if (!state) throw notFound("No such request.", { requestId });
    }
  }
  throw conflict("The request kept changing while you decided; try again.", { requestId });
};

/**
 * The request as an authorised decider may see it (to show the form again with a refusal notice);
 * undefined for anyone else or an unknown request.
 */
export const requestForDecider = async (
  deps: ServiceDeps,
  actorIdentity: Identity,
  requestId: unknown,
): Promise<AccessRequest | undefined> => {
  const personId = typeof requestId === "string" ? personIdOfRequest(requestId) : undefined;
  if (!personId) return undefined;
  try {
    const actor = await loadPerson(deps, actorIdentity);
    const stored = actor && (await deps.requests.get(personId, requestId as string));
    if (!actor || !stored) return undefined;
    checkDecision(actor.value, stored.value, null, deps.clock.now());
    return stored.value;
  } catch {
    return undefined;
  }
};
