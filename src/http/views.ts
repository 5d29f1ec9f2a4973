import type { AccessRequest } from "../domain/access-request.js";
import type { AuditEvent } from "../domain/audit.js";
import { personStatus, type Person } from "../domain/person.js";
import type { Tenant } from "../domain/tenant.js";

/** A person as the API shows them: what the People page lists, never internal bookkeeping. */
export const personView = (p: Person, now: Date) => ({
  id: p.personId,
  name: p.name,
  upn: p.upn,
  email: p.email,
  objectId: p.objectId,
  directoryId: p.directoryId,
  homeTenantId: p.homeTenantId,
  source: p.source,
  status: personStatus(p, now),
  enabled: p.enabled,
  /** Why directory sync disabled the person (their Entra account was disabled or deleted), if it did. */
  disabledInDirectory: p.disabledByDirectory?.reason ?? null,
  pendingRequestId: p.pendingRequest?.requestId ?? null,
  assignment: p.assignment,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

export const requestView = (r: AccessRequest) => ({
  id: r.id,
  personId: r.personId,
  requester: r.requester,
  homeTenantId: r.homeTenantId,
  justification: r.justification,
  wishedRole: r.wishedRole,
  status: r.status,
  createdAt: r.createdAt,
  decision: r.decision,
});

export const auditView = (e: AuditEvent) => ({
  id: e.id,
  at: e.at,
  actor: e.actor,
  action: e.action,
  subject: e.subject,
  before: e.before,
  after: e.after,
  reason: e.reason,
  tenantId: e.tenantId ?? null,
  correlationId: e.correlationId,
  seq: e.seq ?? null,
});

export const tenantView = (t: Tenant) => ({
  id: t.id,
  name: t.name,
  kind: t.kind,
  directoryId: t.directoryId,
  createdAt: t.createdAt,
});
