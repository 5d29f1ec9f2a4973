import { AUDIT_ACTIONS, type AuditAction, type AuditEvent } from "../domain/audit.js";
import { invalid, notAllowed } from "../domain/errors.js";
import { can } from "../domain/grant-policy.js";
import { activeRole, type Identity, type Person } from "../domain/person.js";
import { ROLE_DEFINITIONS, type Role } from "../domain/roles.js";
import { describeTenantAccess, type Tenant } from "../domain/tenant.js";
import type { ServiceDeps } from "./deps.js";
import type { AuditFilter, Page } from "./ports.js";
import { requireActor } from "./register-person.js";

export type AuditQuery = {
  action?: unknown;
  person?: unknown;
  who?: unknown;
  from?: unknown;
  to?: unknown;
  pageSize?: unknown;
  continuation?: unknown;
};

export const AUDIT_PAGE = { default: 50, max: 200 } as const;
/** Rows one export may hold; a narrower filter gets the rest. */
export const EXPORT_MAX_ROWS = 100_000;
const EXPORT_PAGE = 200;

const optionalText = (field: string, value: unknown, max: number): string | undefined => {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string" || value.length > max)
    throw invalid(`${field} must be text of at most ${max} characters.`, { field });
  return value;
};

/** A day (YYYY-MM-DD, UTC) or a full ISO time; `to` as a day means the end of that day. */
const optionalTime = (field: "from" | "to", value: unknown): string | undefined => {
  const text = optionalText(field, value, 40);
  if (text === undefined) return undefined;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = Date.parse(day ? `${text}T00:00:00.000Z` : text);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(text))
    throw invalid(`${field} must be a date (YYYY-MM-DD) or an ISO time.`, { field });
  return new Date(day && field === "to" ? ms + 86_400_000 : ms).toISOString();
};

/**
 * Who may read the audit log, and how far: MSP Admins everything; Customer Admins the events about
 * their own tenant. Returns the tenant ids of the reach, or undefined for everything.
 */
const auditReach = async (deps: ServiceDeps, identity: Identity): Promise<{ actor: Person; tenantIds?: string[] }> => {
  const actor = (await requireActor(deps, identity)).value;
  const now = deps.clock.now();
  if (!can(actor, "audit.read", null, now)) {
    if (activeRole(actor, now) === null)
      throw notAllowed("You do not have access to Access Desk.", { reason: "no-access" });
    throw notAllowed("Only admins can read the audit log.", { reason: "not-an-admin" });
  }
  const access = actor.assignment!.tenantAccess;
  const all = ROLE_DEFINITIONS[activeRole(actor, now)!].scope === "all-tenants" || access.kind === "all";
  return all ? { actor } : { actor, tenantIds: access.tenantIds };
};

const filterOf = (query: AuditQuery, tenantIds: string[] | undefined): AuditFilter => {
  const action = optionalText("action", query.action, 60);
  if (action !== undefined && !(AUDIT_ACTIONS as readonly string[]).includes(action))
    throw invalid("action is not one of the recorded actions.", { field: "action" });
  const person = optionalText("person", query.person, 100);
  const who = optionalText("who", query.who, 100)?.trim().toLowerCase();
  const from = optionalTime("from", query.from);
  const to = optionalTime("to", query.to);
  if (from && to && from >= to) throw invalid("from must be before to.", { field: "from" });
  return {
    ...(tenantIds ? { tenantIds } : {}),
    ...(action ? { action: action as AuditAction } : {}),
    ...(person ? { personId: person.toLowerCase() } : {}),
    ...(who ? { who } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
};

/** One page of audit events, newest first, within the reader's reach. */
export const listAudit = async (
  deps: ServiceDeps,
  identity: Identity,
  query: AuditQuery,
): Promise<Page<AuditEvent>> => {
  const { tenantIds } = await auditReach(deps, identity);
  const filter = filterOf(query, tenantIds);
  const sizeText = optionalText("pageSize", query.pageSize, 4);
  const pageSize = sizeText === undefined ? AUDIT_PAGE.default : Number(sizeText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > AUDIT_PAGE.max)
    throw invalid(`pageSize must be a whole number from 1 to ${AUDIT_PAGE.max}.`, { field: "pageSize" });
  return deps.audit.search(filter, {
    pageSize,
    continuation: optionalText("continuation", query.continuation, 8_000) ?? null,
  });
};

/**
 * Every event matching the filter, newest first, page by page (at most EXPORT_MAX_ROWS). Checks the
 * reader's rights and the filter before the first row, so a refusal is an error, not a broken file.
 */
export const exportAudit = async (
  deps: ServiceDeps,
  identity: Identity,
  query: AuditQuery,
): Promise<AsyncIterable<AuditEvent>> => {
  const { tenantIds } = await auditReach(deps, identity);
  const filter = filterOf(query, tenantIds);
  return (async function* () {
    let continuation: string | null = null;
    let rows = 0;
    do {
      const page: Page<AuditEvent> = await deps.audit.search(filter, { pageSize: EXPORT_PAGE, continuation });
      for (const event of page.items) {
        if (rows++ >= EXPORT_MAX_ROWS) return;
        yield event;
      }
      continuation = page.continuation;
    } while (continuation);
  })();
};

/** One row of the "who has access and why" report. */
export type AccessRow = {
  personId: string;
  name: string;
  upn: string | null;
  email: string | null;
  directoryId: string;
  homeTenant: string | null;
  role: Role;
  tenantAccess: string;
  expiresAt: string | null;
  grantedBy: string;
  grantedAt: string;
  justification: string | null;
  requestId: string | null;
};

export const accessRowOf = (person: Person, tenants: readonly Tenant[]): AccessRow => {
  const a = person.assignment!;
  return {
    personId: person.personId,
    name: person.name,
    upn: person.upn,
    email: person.email,
    directoryId: person.directoryId,
    homeTenant: tenants.find((t) => t.id === person.homeTenantId)?.name ?? null,
    role: a.role,
    tenantAccess: describeTenantAccess(a.tenantAccess, tenants),
    expiresAt: a.expiresAt,
    grantedBy: a.grantedBy.name,
    grantedAt: a.grantedAt,
    justification: a.justification,
    requestId: a.requestId,
  };
};

/** "Who has access and why": every current user in the reader's reach, by name. */
export const accessReport = async (deps: ServiceDeps, identity: Identity): Promise<AsyncIterable<AccessRow>> => {
  const { tenantIds } = await auditReach(deps, identity);
  const tenants = await deps.tenants.list();
  const now = deps.clock.now().toISOString();
  return (async function* () {
    let continuation: string | null = null;
    do {
      const page: Page<Person> = await deps.people.search(
        { now, status: "user", ...(tenantIds ? { tenantIds } : {}) },
        { field: "name", order: "asc" },
        { pageSize: EXPORT_PAGE, continuation },
      );
      for (const person of page.items) yield accessRowOf(person, tenants);
      continuation = page.continuation;
    } while (continuation);
  })();
};
