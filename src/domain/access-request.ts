import type { ConversationAddress } from "./conversation.js";
import { DomainError, notAllowed } from "./errors.js";
import { SYSTEM_ACTOR, type ActorRef } from "./person.js";
import type { Role } from "./roles.js";
import type { TenantAccess } from "./tenant.js";

export const REQUEST_STATUSES = ["pending", "approved", "denied", "cancelled", "expired"] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** What an approval grants. */
export type Grant = { role: Role; tenantAccess: TenantAccess; expiresAt: string | null };

export type Decision =
  | { outcome: "approved"; by: ActorRef; at: string; grant: Grant; comment: string | null }
  | { outcome: "denied"; by: ActorRef; at: string; reason: string }
  | { outcome: "cancelled"; by: ActorRef; at: string; reason?: string | null }
  | { outcome: "expired"; by: ActorRef; at: string };

/** Where the admins-channel card of a request lives, to update it in place. */
export type CardLocation = { address: ConversationAddress; activityId: string };

/** Work that follows a decision (person record, audit event, channel card, requester message); each step is idempotent. */
export type FollowUps = { person: boolean; audit: boolean; card: boolean; requester: boolean };

/** Steps that talk to Teams: one sender at a time holds a lease on each, so each happens once. */
export type LeasedStep = "announce" | "card" | "requester";

/**
 * Who is doing each Teams-facing step: null = nobody yet, a positive number = the epoch ms a sender
 * took the lease, 0 = done. (Lower-case keys and numbers on purpose: the local Cosmos DB server
 * lower-cases the text of patch conditions, so camelCase paths and ISO strings cannot be compared there.)
 */
export type Leases = { announce: number | null; card: number | null; requester: number | null };

/** A person's request for access. Its status changes once, by a conditional write. */
export type AccessRequest = {
  id: string;
  personId: string;
  type: "request";
  seq: number;
  requester: { objectId: string; directoryId: string; name: string; upn: string | null; email: string | null };
  homeTenantId: string | null;
  justification: string;
  wishedRole: Role | null;
  status: RequestStatus;
  createdAt: string;
  decision: Decision | null;
  card: CardLocation | null;
  followUps: FollowUps | null;
  leases: Leases | null;
  /** When admins were last reminded that this request waits. */
  remindedAt?: string | null;
  /** True while a decided request still has follow-ups to finish (the reconciler looks for these). */
  unfinished: boolean;
};

export type RequestEvent =
  | { type: "approve"; by: ActorRef; at: string; grant: Grant; comment: string | null }
  | { type: "deny"; by: ActorRef; at: string; reason: string }
  | { type: "cancel"; by: ActorRef; at: string; reason?: string | null }
  | { type: "expire"; by: ActorRef; at: string };

/** A new pending request from a person, as filed: the requester's identity is copied at that moment. */
export const newAccessRequest = (
  person: {
    personId: string;
    objectId: string;
    directoryId: string;
    name: string;
    upn: string | null;
    email: string | null;
    homeTenantId: string | null;
  },
  seq: number,
  justification: string,
  wishedRole: Role | null,
  at: string,
): AccessRequest => ({
  id: requestIdFor(person.personId, seq),
  personId: person.personId,
  type: "request",
  seq,
  requester: {
    objectId: person.objectId,
    directoryId: person.directoryId,
    name: person.name,
    upn: person.upn,
    email: person.email,
  },
  homeTenantId: person.homeTenantId,
  justification,
  wishedRole,
  status: "pending",
  createdAt: at,
  decision: null,
  card: null,
  followUps: null,
  leases: { announce: null, card: null, requester: null },
  unfinished: false,
});

/** Request ids are `<personId>-r<seq>`: deterministic, so a retried submit cannot create a second one. */
export const requestIdFor = (personId: string, seq: number): string => `${personId}-r${seq}`;

/** The person a request id belongs to, or undefined when the id is not one of ours. */
export const personIdOfRequest = (requestId: string): string | undefined => {
  const match = /^([0-9a-f-]{36})-r([1-9][0-9]{0,8})$/.exec(requestId);
  return match ? match[1] : undefined;
};

/** The refusal for acting on a request that is no longer pending: says who decided and when. */
export const alreadyDecided = (request: AccessRequest): DomainError => {
  const d = request.decision;
  const verb = request.status === "cancelled" ? "cancelled" : request.status;
  const message = d
    ? `This request was already ${verb} by ${d.by.name} at ${d.at}.`
    : `This request is already ${verb}.`;
  return new DomainError("already-decided", message, {
    requestId: request.id,
    status: request.status,
    by: d?.by ?? null,
    at: d?.at ?? null,
  });
};

const NO_FOLLOW_UPS: FollowUps = { person: false, audit: false, card: false, requester: false };

/** The request state machine: pending moves once to approved, denied or cancelled; nothing else moves. */
export const transition = (request: AccessRequest, event: RequestEvent): AccessRequest => {
  if (request.status !== "pending") throw alreadyDecided(request);
  switch (event.type) {
    case "approve":
      return {
        ...request,
        status: "approved",
        decision: { outcome: "approved", by: event.by, at: event.at, grant: event.grant, comment: event.comment },
        followUps: { ...NO_FOLLOW_UPS },
        leases: { announce: request.leases?.announce ?? null, card: null, requester: null },
        unfinished: true,
      };
    case "deny":
      return {
        ...request,
        status: "denied",
        decision: { outcome: "denied", by: event.by, at: event.at, reason: event.reason },
        followUps: { ...NO_FOLLOW_UPS },
        leases: { announce: request.leases?.announce ?? null, card: null, requester: null },
        unfinished: true,
      };
    case "cancel":
      // The system closes the request of someone offboarded (their Entra account went away).
      if (event.by.personId !== request.personId && event.by.personId !== SYSTEM_ACTOR.personId) {
        throw notAllowed("Only the requester can cancel a request.", { requestId: request.id });
      }
      return {
        ...request,
        status: "cancelled",
        decision: {
          outcome: "cancelled",
          by: event.by,
          at: event.at,
          ...(event.reason ? { reason: event.reason } : {}),
        },
        followUps: { ...NO_FOLLOW_UPS, requester: true },
        leases: { announce: request.leases?.announce ?? null, card: null, requester: 0 },
        unfinished: true,
      };
    case "expire":
      return {
        ...request,
        status: "expired",
        decision: { outcome: "expired", by: event.by, at: event.at },
        followUps: { ...NO_FOLLOW_UPS },
        leases: { announce: request.leases?.announce ?? null, card: null, requester: null },
        unfinished: true,
      };
  }
};
