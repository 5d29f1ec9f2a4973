import type { ActorRef } from "./person.js";

export const AUDIT_ACTIONS = [
  "person.registered",
  "request.submitted",
  "request.approved",
  "request.denied",
  "request.cancelled",
  "request.expired",
  "assignment.granted",
  "assignment.changed",
  "assignment.revoked",
  "assignment.expired",
  "person.enabled",
  "person.disabled",
  "tenant.created",
  "tenant.updated",
  "settings.admin-channel-set",
  "review.started",
  "review.kept",
  "review.revoked",
  "review.completed",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * One change, recorded once: who did what to whom, before and after, and why.
 * Ids are deterministic per change, so writing an event twice stores it once.
 */
export type AuditEvent = {
  id: string;
  /** Partition: the person the event is about, or a pseudo-person such as `_settings`. */
  personId: string;
  type: "audit";
  at: string;
  actor: ActorRef;
  action: AuditAction;
  subject: { kind: "person" | "request" | "settings" | "tenant" | "review"; id: string; name: string | null };
  /** The tenant the subject belonged to at the time (null: the app's own settings): who may read the event. */
  tenantId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  correlationId: string;
  /** Set when the event is appended to its chain (see audit-chain.ts). */
  seq?: number;
  prevHash?: string;
  hash?: string;
};

/** The deterministic id of the event recording `action` on `subjectId`. */
export const auditIdFor = (action: AuditAction, subjectId: string): string => `audit-${action}-${subjectId}`;
