import type { AccessRequest, FollowUps, LeasedStep } from "../domain/access-request.js";
import { auditIdFor, type AuditAction, type AuditEvent } from "../domain/audit.js";
import type { Assignment, Person } from "../domain/person.js";
import type { ServiceDeps } from "./deps.js";
import { persistently } from "./persistently.js";
import { updatePerson } from "./update-person.js";

const ACTIONS: Record<Exclude<AccessRequest["status"], "pending">, AuditAction> = {
  approved: "request.approved",
  denied: "request.denied",
  cancelled: "request.cancelled",
  expired: "request.expired",
};

const assignmentFrom = (request: AccessRequest): Assignment | null => {
  const d = request.decision;
  if (d?.outcome !== "approved") return null;
  return {
    role: d.grant.role,
    tenantAccess: d.grant.tenantAccess,
    expiresAt: d.grant.expiresAt,
    grantedBy: d.by,
    grantedAt: d.at,
    justification: request.justification,
    requestId: request.id,
  };
};

/** The person after the decision: the new assignment on approval, and the pending request closed (null: unchanged). */
export const personAfter = (person: Person, request: AccessRequest): Person | null => {
  const assignment = assignmentFrom(request);
  const grant = assignment !== null && person.assignment?.requestId !== request.id;
  const close = person.pendingRequest?.requestId === request.id;
  if (!grant && !close) return null;
  return {
    ...person,
    assignment: grant ? assignment : person.assignment,
    pendingRequest: close ? null : person.pendingRequest,
  };
};

const done = (request: AccessRequest, steps: Partial<FollowUps>): FollowUps => ({
  ...(request.followUps ?? { person: false, audit: false, card: false, requester: false }),
  ...steps,
});

const allDone = (f: FollowUps) => f.person && f.audit && f.card && f.requester;

/** Records that a step landed, retrying briefly when the store stumbles (see `persistently`). */
const mark = (deps: ServiceDeps, request: AccessRequest, steps: Partial<FollowUps>, finished: boolean) =>
  persistently(() => deps.requests.markFollowUps(request.personId, request.id, steps, finished));
/** How long a sender may take to deliver a card update or notice before another may try again. */
export const SEND_LEASE_MS = 60_000;

/**
 * The record-keeping half of a decision: the audit event, then the person's assignment.
 * Both writes are idempotent (deterministic audit id; the assignment carries the request id),
 * so running this again after a crash finishes the job without doubling anything.
 */
export const recordDecision = async (deps: ServiceDeps, request: AccessRequest): Promise<AccessRequest> => {
  const d = request.decision;
  if (!d || request.status === "pending") return request;
  const steps = done(request, {});
  if (steps.audit && steps.person) return request;
  const person = await deps.people.get(request.personId);
  if (!steps.audit) await deps.audit.append(decisionEvent(request, person?.value));
  if (!steps.person && person) {
    await updatePerson(deps, request.personId, (cur) => personAfter(cur, request), person);
  }
  const next = done(request, { audit: true, person: true });
  await mark(deps, request, { audit: true, person: true }, allDone(next));
  return { ...request, followUps: next, unfinished: !allDone(next) };
};

/** The audit event of a decided request, given the requester as they were before it. */
export const decisionEvent = (request: AccessRequest, person: Person | undefined): AuditEvent => {
  const d = request.decision!;
  const assignment = assignmentFrom(request);
  return {
    id: auditIdFor(ACTIONS[request.status as Exclude<AccessRequest["status"], "pending">], request.id),
    personId: request.personId,
    type: "audit",
    at: d.at,
    actor: d.by,
    action: ACTIONS[request.status as Exclude<AccessRequest["status"], "pending">],
    subject: { kind: "person", id: request.personId, name: request.requester.name || null },
    tenantId: person?.homeTenantId ?? request.homeTenantId ?? null,
    before: { assignment: person?.assignment ?? null, requestStatus: "pending" },
    after: { assignment: assignment ?? person?.assignment ?? null, requestStatus: request.status },
    reason: d.outcome === "denied" ? d.reason : d.outcome === "approved" ? (d.comment ?? request.justification) : null,
    correlationId: request.id,
  };
};

/**
 * The telling half: the admins-channel card shows the outcome for everyone, and the requester hears
 * it in their personal chat. Each step is marked when it landed, so a retry does only what is left.
 */
export const publishDecision = async (
  deps: ServiceDeps,
  request: AccessRequest,
  options: { recorded?: boolean } = {},
): Promise<void> => {
  if (!request.decision || request.status === "pending") return;
  // Committed with the decision (its transaction succeeded): noted as done with the first mark below.
  const recorded: Partial<FollowUps> = options.recorded ? { audit: true, person: true } : {};
  let steps = done(request, recorded);
  if (allDone(steps)) {
    if (request.unfinished) await mark(deps, request, recorded, true);
    return;
  }
  const tenants = await deps.tenants.list();
  const claim = (step: LeasedStep) =>
    deps.requests.claimFollowUp(request.personId, request.id, step, deps.clock.now().getTime(), SEND_LEASE_MS);
  /** Runs a Teams-facing step; if it fails, the lease goes back at once so it is retried soon. */
  const attempt = async (step: LeasedStep, send: () => Promise<void>) => {
    try {
      await send();
    } catch (e) {
      await deps.requests.releaseFollowUp(request.personId, request.id, step).catch(() => undefined);
      throw e;
    }
  };
  if (!steps.card && (await claim("card"))) {
    const card = request.card;
    if (card) await attempt("card", () => deps.notifier.updateRequestCard(card, { request, tenants }));
    steps = done(request, { ...steps, card: true });
    await mark(deps, request, { ...recorded, card: true }, allDone(steps));
  }
  if (!steps.requester && (await claim("requester"))) {
    const address = await deps.conversations.getPersonal(request.personId);
    if (address) {
      await attempt("requester", () =>
        deps.notifier.sendPersonal(address, { kind: "request-decided", request, tenants }),
      );
    } else {
      deps.logger.warn({ requestId: request.id }, "requester has no stored personal chat: not told of the decision");
    }
    steps = done(request, { ...steps, requester: true });
    await mark(deps, request, { ...recorded, requester: true }, allDone(steps));
  }
};

/** Finishes every follow-up a decided request still lacks (used by the reconciler). */
export const completeDecision = async (deps: ServiceDeps, request: AccessRequest): Promise<void> => {
  await publishDecision(deps, await recordDecision(deps, request));
};
