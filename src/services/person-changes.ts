import type { AuditAction, AuditEvent } from "../domain/audit.js";
import { notFound, stale } from "../domain/errors.js";
import type { ActorRef, Person } from "../domain/person.js";
import type { ServiceDeps } from "./deps.js";
import { PreconditionFailed, sameEtag, type Stored } from "./ports.js";

export type PersonChange = {
  action: AuditAction;
  actor: ActorRef;
  reason: string;
  before: unknown;
  after: unknown;
  correlationId: string;
};

const STALE = "Someone else changed this person since you opened it. Reload and try again.";

/** Refuses a change made from an outdated view of the person (their ETag no longer matches). */
export const checkFresh = (current: Stored<Person>, expectedEtag: string): void => {
  if (!sameEtag(current.etag, expectedEtag)) throw stale(STALE, { personId: current.value.personId });
};

/**
 * Commits a direct change to a person (from the People tab) with the ETag the client read: one
 * conditional write that carries its own audit event, which is then appended (deterministic id) and
 * marked recorded. A stale ETag is refused without writing anything.
 */
export const commitPersonChange = async (
  deps: ServiceDeps,
  current: Stored<Person>,
  expectedEtag: string,
  next: Person,
  change: PersonChange,
): Promise<Stored<Person>> => {
  checkFresh(current, expectedEtag);
  const at = deps.clock.now().toISOString();
  const seq = (current.value.changeSeq ?? 0) + 1;
  const event: AuditEvent = {
    id: `audit-${change.action}-${next.personId}-${seq}`,
    personId: next.personId,
    type: "audit",
    at,
    actor: change.actor,
    action: change.action,
    subject: { kind: "person", id: next.personId, name: next.name || null },
    tenantId: next.homeTenantId,
    before: change.before,
    after: change.after,
    reason: change.reason,
    correlationId: change.correlationId,
  };
  let saved: Stored<Person>;
  try {
    saved = await deps.people.replace(
      { ...next, changeSeq: seq, lastChange: { event, recorded: false }, updatedAt: at },
      current.etag,
    );
  } catch (e) {
    if (e instanceof PreconditionFailed) {
      throw stale(STALE, { personId: next.personId });
    }
    throw e;
  }
  const recorded = await recordChange(deps, saved);
  deps.logger.info({ personId: next.personId, action: change.action, actor: change.actor.personId }, "person changed");
  return recorded;
};

/**
 * Appends the audit event a committed change carries (idempotent) and marks it recorded; returns the
 * person as stored afterwards (with the ETag a client needs for its next change).
 */
export const recordChange = async (deps: ServiceDeps, stored: Stored<Person>): Promise<Stored<Person>> => {
  const pending = stored.value.lastChange;
  if (!pending || pending.recorded) return stored;
  await deps.audit.append(pending.event);
  const etag = await deps.people.markChangeRecorded(stored.value.personId, stored.etag);
  if (etag) return { value: { ...stored.value, lastChange: { ...pending, recorded: true } }, etag };
  return (await deps.people.get(stored.value.personId)) ?? stored;
};

/** The person behind an id in a URL, or a 404. */
export const readPersonById = async (deps: ServiceDeps, personId: unknown): Promise<Stored<Person>> => {
  const id = typeof personId === "string" && /^[0-9a-f-]{36}$/.test(personId) ? personId : null;
  const stored = id ? await deps.people.get(id) : undefined;
  if (!stored) throw notFound("No such person.", { personId: String(personId).slice(0, 80) });
  return stored;
};
