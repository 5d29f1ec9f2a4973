import { transition } from "../domain/access-request.js";
import { activeRole, SYSTEM_ACTOR, type Person } from "../domain/person.js";
import { runReviews } from "./access-reviews.js";
import { adminChannelAddress } from "./admin-channel.js";
import { completeDecision } from "./complete-decision.js";
import type { ServiceDeps } from "./deps.js";
import { commitPersonChange } from "./person-changes.js";
import { PreconditionFailed, StoreUnavailable, type Stored } from "./ports.js";
import { updatePerson } from "./update-person.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BATCH = 500;

/**
 * How long before its end a grant is reminded about: EXPIRY_REMINDER_HOURS (a day) before, or an
 * hour before for grants of a day or less (half the grant when it is shorter than two hours).
 */
export const reminderLeadMs = (deps: ServiceDeps, grantedAt: string, expiresAt: string): number => {
  const length = Date.parse(expiresAt) - Date.parse(grantedAt);
  return length <= DAY
    ? Math.min(HOUR, length / 2)
    : Math.min(deps.policy.governance.expiryReminderHours * HOUR, length / 2);
};

/** Whether a person's current access ends within its reminder lead: they may then ask to extend it. */
export const endsSoon = (deps: ServiceDeps, person: Person, now: Date): boolean => {
  const a = person.assignment;
  if (!a?.expiresAt || activeRole(person, now) === null) return false;
  return Date.parse(a.expiresAt) - now.getTime() <= reminderLeadMs(deps, a.grantedAt, a.expiresAt);
};

/** Tells a person something in their chat, if the bot knows where; a failure is logged, not fatal. */
const tell = async (
  deps: ServiceDeps,
  personId: string,
  send: (address: NonNullable<Awaited<ReturnType<ServiceDeps["conversations"]["getPersonal"]>>>) => Promise<void>,
) => {
  const address = await deps.conversations.getPersonal(personId);
  if (!address) return;
  try {
    await send(address);
  } catch (err) {
    deps.logger.warn({ err, personId }, "could not deliver a governance notice");
  }
};

/** Access that has ended is taken away on record (audit event, person told); access already stops at its end. */
const revokeExpired = async (deps: ServiceDeps, stored: Stored<Person>, now: Date): Promise<boolean> => {
  const person = stored.value;
  const a = person.assignment;
  if (!a?.expiresAt || Date.parse(a.expiresAt) > now.getTime()) return false;
  try {
    await commitPersonChange(
      deps,
      stored,
      stored.etag,
      { ...person, assignment: null },
      {
        action: "assignment.expired",
        actor: SYSTEM_ACTOR,
        reason: `Time-bound access ended at ${a.expiresAt}`,
        before: { assignment: a },
        after: { assignment: null },
        correlationId: `${person.personId}-expired-${a.grantedAt}`,
      },
    );
  } catch (e) {
    if (e instanceof PreconditionFailed || (e as { code?: string }).code === "stale") return false; // changed meanwhile: next run
    throw e;
  }
  const tenants = await deps.tenants.list();
  await tell(deps, person.personId, (address) =>
    deps.notifier.sendPersonal(address, { kind: "access-expired", assignment: a, tenants }),
  );
  deps.logger.info({ personId: person.personId, role: a.role }, "time-bound access revoked");
  return true;
};

/** One reminder per grant, shortly before it ends, with a button to ask for an extension. */
const remindExpiring = async (deps: ServiceDeps, stored: Stored<Person>, now: Date): Promise<boolean> => {
  const person = stored.value;
  const a = person.assignment;
  if (!a?.expiresAt || activeRole(person, now) === null || person.expiryReminderFor === a.grantedAt) return false;
  if (Date.parse(a.expiresAt) - now.getTime() > reminderLeadMs(deps, a.grantedAt, a.expiresAt)) return false;
  // Recorded before sending: a reminder is never sent twice (at most, one is lost to a crash).
  // Only the run that records it sends it (two instances may race here).
  let mine = false;
  await updatePerson(
    deps,
    person.personId,
    (cur) => {
      mine = cur.assignment?.grantedAt === a.grantedAt && cur.expiryReminderFor !== a.grantedAt;
      return mine ? { ...cur, expiryReminderFor: a.grantedAt } : null;
    },
    stored,
  );
  if (!mine) return false;
  const tenants = await deps.tenants.list();
  await tell(deps, person.personId, (address) =>
    deps.notifier.sendPersonal(address, { kind: "access-expiring", assignment: a, tenants }),
  );
  return true;
};

/** Requests waiting longer than the set time: one reminder in the admins channel for all of them. */
const remindWaiting = async (deps: ServiceDeps, now: Date): Promise<number> => {
  const hours = deps.policy.governance.pendingReminderHours;
  const cutoff = new Date(now.getTime() - hours * HOUR).toISOString();
  // Reminded again after the same time, until someone decides.
  const due = (await deps.requests.listPendingFiledBefore(cutoff, BATCH)).filter(
    (r) => !r.remindedAt || r.remindedAt <= cutoff,
  );
  if (due.length === 0) return 0;
  const target = await adminChannelAddress(deps, due[0]!);
  if (!target) return 0;
  for (const r of due) await deps.requests.markReminded(r.personId, r.id, now.toISOString());
  await deps.notifier.postToChannel(target.address, { kind: "pending-reminder", requests: due, waitingHours: hours });
  return due.length;
};

/** Requests nobody decided within the set number of days expire; the requester and the card say so. */
const expireStale = async (deps: ServiceDeps, now: Date): Promise<number> => {
  const cutoff = new Date(now.getTime() - deps.policy.governance.pendingExpiryDays * DAY).toISOString();
  let expired = 0;
  for (const r of await deps.requests.listPendingFiledBefore(cutoff, BATCH)) {
    const stored = await deps.requests.get(r.personId, r.id);
    if (!stored || stored.value.status !== "pending") continue;
    try {
      const saved = await deps.requests.replace(
        transition(stored.value, { type: "expire", by: SYSTEM_ACTOR, at: now.toISOString() }),
        stored.etag,
      );
      expired++;
      await completeDecision(deps, saved.value);
    } catch (e) {
      if (!(e instanceof PreconditionFailed)) throw e;
    }
  }
  return expired;
};

/**
 * The governance run (every minute by default, one instance at a time): revoke ended access, remind
 * before it ends, remind admins of waiting requests, expire stale ones. Every step is idempotent.
 */
export const runGovernance = async (
  deps: ServiceDeps,
): Promise<{
  revoked: number;
  reminded: number;
  waitingReminded: number;
  expired: number;
  reviewStarted: boolean;
  reviewsClosed: number;
}> => {
  const now = deps.clock.now();
  let revoked = 0;
  let reminded = 0;
  const horizon = new Date(now.getTime() + deps.policy.governance.expiryReminderHours * HOUR).toISOString();
  for (const stored of await deps.people.listExpiringBefore(horizon, BATCH)) {
    try {
      if (await revokeExpired(deps, stored, now)) revoked++;
      else if (await remindExpiring(deps, stored, now)) reminded++;
    } catch (err) {
      if (!(err instanceof StoreUnavailable)) throw err;
      deps.logger.warn({ err, personId: stored.value.personId }, "governance: store unavailable; next run");
    }
  }
  const waitingReminded = await remindWaiting(deps, now);
  const expired = await expireStale(deps, now);
  const reviews = await runReviews(deps);
  if (revoked + reminded + waitingReminded + expired + reviews.closed > 0 || reviews.started) {
    deps.logger.info({ revoked, reminded, waitingReminded, expired, ...reviews }, "governance run");
  }
  return { revoked, reminded, waitingReminded, expired, reviewStarted: reviews.started, reviewsClosed: reviews.closed };
};
