import {
  isReviewOutcome,
  REVIEWS_PARTITION,
  reviewIdFor,
  reviewItemFor,
  stillUnderReview,
  type AccessReview,
  type ReviewItem,
  type ReviewOutcome,
} from "../domain/access-review.js";
import { auditIdFor, type AuditEvent } from "../domain/audit.js";
import { conflict, invalid, notAllowed, notFound } from "../domain/errors.js";
import { can, checkManage } from "../domain/grant-policy.js";
import { activeRole, displayName, SYSTEM_ACTOR, type ActorRef, type Identity, type Person } from "../domain/person.js";
import { ROLE_DEFINITIONS } from "../domain/roles.js";
import { cleanText, REASON_MAX } from "../domain/text.js";
import { adminsChannelAddress } from "./admin-channel.js";
import type { ServiceDeps } from "./deps.js";
import { commitPersonChange } from "./person-changes.js";
import { AlreadyExists, PreconditionFailed, type Page, type ReviewCardView, type Stored } from "./ports.js";
import { requireActor } from "./register-person.js";

const DAY = 86_400_000;
const PAGE = 200;
/** Users shown on a review card at a time. */
const CARD_ITEMS = 5;
const ATTEMPTS = 5;

const actorRef = (p: Person): ActorRef => ({ personId: p.personId, name: displayName(p) });

/** Who may read a review, and which tenants: MSP Admins all; Customer Admins their own tenant. */
const reviewReach = async (
  deps: ServiceDeps,
  identity: Identity,
): Promise<{ actor: Person; tenantIds?: (string | null)[] }> => {
  const actor = (await requireActor(deps, identity)).value;
  const now = deps.clock.now();
  if (!can(actor, "people.manage", null, now)) {
    if (activeRole(actor, now) === null)
      throw notAllowed("You do not have access to Access Desk.", { reason: "no-access" });
    throw notAllowed("Only admins take part in access reviews.", { reason: "not-an-admin" });
  }
  const access = actor.assignment!.tenantAccess;
  const all = ROLE_DEFINITIONS[activeRole(actor, now)!].scope === "all-tenants" || access.kind === "all";
  return all ? { actor } : { actor, tenantIds: access.tenantIds };
};

const appendReviewEvent = (deps: ServiceDeps, event: Omit<AuditEvent, "type">) =>
  deps.audit.append({ ...event, type: "audit" });

const tenantLabel = async (deps: ServiceDeps, tenantId: string | null) =>
  tenantId === null
    ? "People in no tenant"
    : ((await deps.tenants.list()).find((t) => t.id === tenantId)?.name ?? tenantId);

/** What a tenant's card shows now: progress and the next users left to decide. */
export const reviewCardView = async (
  deps: ServiceDeps,
  review: AccessReview,
  tenantId: string | null,
): Promise<ReviewCardView> => {
  const [progress, next, tenants] = await Promise.all([
    deps.reviews.progress(review.id),
    deps.reviews.listItems(review.id, { tenantIds: [tenantId], undecided: true }, { pageSize: CARD_ITEMS }),
    deps.tenants.list(),
  ]);
  const mine = progress.find((p) => p.tenantId === tenantId) ?? { users: 0, decided: 0 };
  return {
    review,
    tenant: { id: tenantId, name: await tenantLabel(deps, tenantId) },
    progress: { users: mine.users, decided: mine.decided },
    next: review.status === "closed" ? [] : next.items,
    tenants,
  };
};

/** Brings every posted card of a review up to date (after a decision made elsewhere, or at the close). */
const refreshCards = async (deps: ServiceDeps, review: AccessReview, only?: string | null) => {
  const address = await adminsChannelAddress(deps, [review.startedBy.personId]);
  if (!address) return;
  for (const card of review.cards) {
    if (only !== undefined && card.tenantId !== only) continue;
    try {
      await deps.notifier.updateReviewCard(address, card.activityId, await reviewCardView(deps, review, card.tenantId));
    } catch (err) {
      deps.logger.warn({ err, reviewId: review.id, tenantId: card.tenantId }, "could not update a review card");
    }
  }
};

/** Writes the items of a review being started (idempotent), opens it, and posts one card per tenant. */
const finishStart = async (deps: ServiceDeps, stored: Stored<AccessReview>): Promise<Stored<AccessReview>> => {
  let current = stored;
  if (current.value.status === "starting") {
    const counts = new Map<string | null, number>();
    let continuation: string | null = null;
    do {
      const page: Page<Person> = await deps.people.search(
        { now: current.value.startedAt, status: "user" },
        { field: "name", order: "asc" },
        { pageSize: PAGE, continuation },
      );
      for (const person of page.items) {
        await deps.reviews.ensureItem(reviewItemFor(current.value, person));
        counts.set(person.homeTenantId, (counts.get(person.homeTenantId) ?? 0) + 1);
      }
      continuation = page.continuation;
    } while (continuation);
    const tenants = [...counts].map(([tenantId, users]) => ({ tenantId, users }));
    current = await deps.reviews.replaceReview({ ...current.value, status: "open", tenants }, current.etag);
  }
  // One card per tenant with users; a card is recorded as soon as Teams accepted it.
  const address = await adminsChannelAddress(deps, [current.value.startedBy.personId]);
  if (!address) return current;
  for (const { tenantId } of current.value.tenants) {
    if (current.value.cards.some((c) => c.tenantId === tenantId)) continue;
    const activityId = await deps.notifier.postReviewCard(address, await reviewCardView(deps, current.value, tenantId));
    current = await deps.reviews.replaceReview(
      { ...current.value, cards: [...current.value.cards, { tenantId, activityId }] },
      current.etag,
    );
  }
  return current;
};

/**
 * Starts an access review of every current user: by an MSP Admin on demand, or by the schedule.
 * One review is open at a time.
 */
export const startAccessReview = async (
  deps: ServiceDeps,
  by: { identity: Identity } | "schedule",
): Promise<{ kind: "started" | "already-open"; review: AccessReview }> => {
  let startedBy = SYSTEM_ACTOR;
  if (by !== "schedule") {
    const actor = (await requireActor(deps, by.identity)).value;
    const now = deps.clock.now();
    if (!can(actor, "settings.manage", null, now)) {
      if (activeRole(actor, now) === null)
        throw notAllowed("You do not have access to Access Desk.", { reason: "no-access" });
      throw notAllowed("Only MSP Admins start access reviews.", { reason: "not-an-msp-admin" });
    }
    startedBy = actorRef(actor);
  }
  const open = (await deps.reviews.listReviews(20)).find((r) => r.status !== "closed");
  if (open) return { kind: "already-open", review: open };
  const now = deps.clock.now();
  const g = deps.policy.governance;
  const review: AccessReview = {
    id: reviewIdFor(now),
    personId: REVIEWS_PARTITION,
    type: "review",
    status: "starting",
    startedAt: now.toISOString(),
    startedBy,
    deadline: new Date(now.getTime() + g.reviewDays * DAY).toISOString(),
    defaultOutcome: g.reviewDefault,
    tenants: [],
    cards: [],
    closedAt: null,
    results: null,
  };
  let stored: Stored<AccessReview>;
  try {
    stored = await deps.reviews.createReview(review);
  } catch (e) {
    if (e instanceof AlreadyExists) {
      const existing = await deps.reviews.getReview(review.id);
      if (existing) return { kind: "already-open", review: existing.value };
    }
    throw e;
  }
  await appendReviewEvent(deps, {
    id: auditIdFor("review.started", review.id),
    personId: REVIEWS_PARTITION,
    at: review.startedAt,
    actor: startedBy,
    action: "review.started",
    subject: { kind: "review", id: review.id, name: `Access review ${review.startedAt.slice(0, 10)}` },
    tenantId: null,
    before: null,
    after: { deadline: review.deadline, defaultOutcome: review.defaultOutcome },
    reason: by === "schedule" ? `Every ${g.reviewEveryDays} days` : null,
    correlationId: review.id,
  });
  deps.logger.info({ reviewId: review.id, by: startedBy.personId }, "access review started");
  const started = await finishStart(deps, stored);
  return { kind: "started", review: started.value };
};

/** Takes the revoked access away (if the person still holds the reviewed grant), on record. */
const applyRevocation = async (deps: ServiceDeps, item: ReviewItem): Promise<void> => {
  const d = item.decision!;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const person = await deps.people.get(item.personId);
    if (!person || !stillUnderReview(item, person.value)) return;
    try {
      await commitPersonChange(
        deps,
        person,
        person.etag,
        { ...person.value, assignment: null },
        {
          action: "review.revoked",
          actor: d.by,
          reason: d.byDefault
            ? `Access review ${item.reviewId}: not reviewed by the deadline; the default is revoke`
            : `Access review ${item.reviewId}: revoked${d.reason ? `: ${d.reason}` : ""}`,
          before: { assignment: person.value.assignment },
          after: { assignment: null },
          correlationId: item.reviewId,
        },
      );
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== "stale") throw e;
    }
  }
  throw conflict("This person is being changed by someone else right now; try again.", { personId: item.personId });
};

const recordKeep = (deps: ServiceDeps, item: ReviewItem) =>
  appendReviewEvent(deps, {
    id: auditIdFor("review.kept", `${item.reviewId}-${item.personId}`),
    personId: item.personId,
    at: item.decision!.at,
    actor: item.decision!.by,
    action: "review.kept",
    subject: { kind: "person", id: item.personId, name: item.name || null },
    tenantId: item.tenantId,
    before: { assignment: item.assignment },
    after: { assignment: item.assignment },
    reason: item.decision!.byDefault
      ? `Access review ${item.reviewId}: not reviewed by the deadline; the default is keep`
      : (item.decision!.reason ?? `Access review ${item.reviewId}: kept`),
    correlationId: item.reviewId,
  });

/** Commits a decision on one item (its ETag is the commit point), then carries it out. */
const decideItem = async (
  deps: ServiceDeps,
  stored: Stored<ReviewItem>,
  decision: NonNullable<ReviewItem["decision"]>,
): Promise<{ kind: "decided" | "already-decided" | "superseded"; item: ReviewItem }> => {
  let current = stored;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (current.value.decision || current.value.superseded)
      return { kind: current.value.superseded ? "superseded" : "already-decided", item: current.value };
    const person = await deps.people.get(current.value.personId);
    const superseded = !person || !stillUnderReview(current.value, person.value);
    const next: ReviewItem = superseded ? { ...current.value, superseded: true } : { ...current.value, decision };
    try {
      const saved = await deps.reviews.replaceItem(next, current.etag);
      if (superseded) return { kind: "superseded", item: saved.value };
      if (decision.outcome === "revoke") await applyRevocation(deps, saved.value);
      else await recordKeep(deps, saved.value);
      return { kind: "decided", item: saved.value };
    } catch (e) {
      if (!(e instanceof PreconditionFailed)) throw e;
      const again = await deps.reviews.getItem(current.value.personId, current.value.reviewId);
      if (!again) throw notFound("No such user in this review.");
      current = again;
    }
  }
  throw conflict("This review item kept changing; try again.");
};

export type ReviewDecisionInput = {
  identity: Identity;
  reviewId: unknown;
  personId: unknown;
  outcome: unknown;
  reason?: unknown;
  /** The answer goes back on the card itself (the bot); otherwise the card is updated in the background. */
  fromCard?: boolean;
};

/**
 * A reviewer keeps or revokes one user's access. Re-reads the review, the item, the person and the
 * reviewer's own rights: only reviewers of the user's tenant who could change that user; nobody
 * reviews themselves; a closed review or a grant changed since the start changes nothing.
 */
export const decideReviewItem = async (deps: ServiceDeps, input: ReviewDecisionInput) => {
  if (typeof input.reviewId !== "string" || input.reviewId.length > 100)
    throw invalid("reviewId is not valid.", { field: "reviewId" });
  if (typeof input.personId !== "string" || input.personId.length > 100)
    throw invalid("personId is not valid.", { field: "personId" });
  if (!isReviewOutcome(input.outcome)) throw invalid("outcome must be keep or revoke.", { field: "outcome" });
  const reason =
    input.reason === undefined || input.reason === null || input.reason === ""
      ? null
      : cleanText("Reason", input.reason, { min: 1, max: REASON_MAX });
  const actor = (await requireActor(deps, input.identity)).value;
  const review = await deps.reviews.getReview(input.reviewId);
  if (!review) throw notFound("No such access review.", { reviewId: input.reviewId });
  const stored = await deps.reviews.getItem(input.personId.toLowerCase(), review.value.id);
  if (!stored) throw notFound("This person is not part of this review.", { personId: input.personId });
  const person = await deps.people.get(stored.value.personId);
  const now = deps.clock.now();
  checkManage(
    actor,
    person?.value ?? {
      personId: stored.value.personId,
      homeTenantId: stored.value.tenantId,
      enabled: true,
      assignment: stored.value.assignment,
    },
    now,
  );
  if (review.value.status !== "open")
    throw conflict(`This access review closed ${review.value.closedAt ?? review.value.deadline}.`, {
      reason: "review-closed",
    });
  const result = await decideItem(deps, stored, {
    outcome: input.outcome as ReviewOutcome,
    by: actorRef(actor),
    at: now.toISOString(),
    reason,
    byDefault: false,
  });
  if (!input.fromCard)
    deps.background.run("review-card", () => refreshCards(deps, review.value, stored.value.tenantId));
  deps.logger.info(
    { reviewId: review.value.id, personId: stored.value.personId, outcome: input.outcome, result: result.kind },
    "access review decision",
  );
  return { ...result, review: review.value, card: await reviewCardView(deps, review.value, stored.value.tenantId) };
};

/** Closes a review whose deadline passed: defaults for the undecided, revocations carried out, results kept. */
const closeReview = async (deps: ServiceDeps, stored: Stored<AccessReview>): Promise<void> => {
  const review = stored.value;
  const now = deps.clock.now().toISOString();
  const results = { kept: 0, revoked: 0, byDefault: 0, superseded: 0 };
  let continuation: string | null = null;
  do {
    const page: Page<ReviewItem> = await deps.reviews.listItems(review.id, {}, { pageSize: PAGE, continuation });
    for (const item of page.items) {
      let current = item;
      if (!current.decision && !current.superseded) {
        const saved = await deps.reviews.getItem(item.personId, review.id);
        if (saved)
          current = (
            await decideItem(deps, saved, {
              outcome: review.defaultOutcome,
              by: SYSTEM_ACTOR,
              at: now,
              reason: null,
              byDefault: true,
            })
          ).item;
      } else if (current.decision?.outcome === "revoke") {
        await applyRevocation(deps, current); // finishes one a crash cut short; a no-op otherwise
      } else if (current.decision?.outcome === "keep") {
        await recordKeep(deps, current); // idempotent
      }
      if (current.superseded) results.superseded++;
      else if (current.decision?.outcome === "revoke") results.revoked++;
      else if (current.decision?.outcome === "keep") results.kept++;
      if (current.decision?.byDefault) results.byDefault++;
    }
    continuation = page.continuation;
  } while (continuation);
  const closed = await deps.reviews.replaceReview({ ...review, status: "closed", closedAt: now, results }, stored.etag);
  await appendReviewEvent(deps, {
    id: auditIdFor("review.completed", review.id),
    personId: REVIEWS_PARTITION,
    at: now,
    actor: SYSTEM_ACTOR,
    action: "review.completed",
    subject: { kind: "review", id: review.id, name: `Access review ${review.startedAt.slice(0, 10)}` },
    tenantId: null,
    before: null,
    after: results,
    reason: `Deadline ${review.deadline}`,
    correlationId: review.id,
  });
  deps.logger.info({ reviewId: review.id, ...results }, "access review closed");
  await refreshCards(deps, closed.value);
};

/**
 * The review part of the governance run: resumes a start a crash cut short, closes reviews past their
 * deadline, and starts one every `reviewEveryDays` (counted from the last start, or from the first day
 * Access Desk ran).
 */
export const runReviews = async (deps: ServiceDeps): Promise<{ started: boolean; closed: number }> => {
  const now = deps.clock.now();
  const reviews = await deps.reviews.listReviews(20);
  let closed = 0;
  for (const r of reviews.filter((x) => x.status !== "closed")) {
    const stored = await deps.reviews.getReview(r.id);
    if (!stored) continue;
    try {
      const open = await finishStart(deps, stored);
      if (Date.parse(open.value.deadline) <= now.getTime()) {
        await closeReview(deps, open);
        closed++;
      }
    } catch (e) {
      if (!(e instanceof PreconditionFailed)) throw e; // another instance is on it: next run
    }
  }
  const every = deps.policy.governance.reviewEveryDays;
  let started = false;
  if (every > 0 && !reviews.some((r) => r.status !== "closed" && Date.parse(r.deadline) > now.getTime())) {
    const msp = (await deps.tenants.list()).find((t) => t.kind === "msp");
    const since = reviews[0]?.startedAt ?? msp?.createdAt;
    if (since && now.getTime() - Date.parse(since) >= every * DAY) {
      started = (await startAccessReview(deps, "schedule")).kind === "started";
    }
  }
  return { started, closed };
};

export type ReviewQuery = { undecided?: unknown; pageSize?: unknown; continuation?: unknown };

/** The reviews, newest first, with each one's progress within the reader's reach. */
export const listReviews = async (deps: ServiceDeps, identity: Identity) => {
  const { tenantIds } = await reviewReach(deps, identity);
  const reviews = await deps.reviews.listReviews(50);
  return Promise.all(
    reviews.map(async (review) => {
      const progress = (await deps.reviews.progress(review.id)).filter(
        (p) => !tenantIds || tenantIds.includes(p.tenantId),
      );
      return {
        review,
        users: progress.reduce((n, p) => n + p.users, 0),
        decided: progress.reduce((n, p) => n + p.decided, 0),
      };
    }),
  );
};

/** One review with a page of its users in the reader's reach. */
export const getReview = async (deps: ServiceDeps, identity: Identity, reviewId: unknown, query: ReviewQuery) => {
  const { tenantIds } = await reviewReach(deps, identity);
  if (typeof reviewId !== "string" || reviewId.length > 100)
    throw invalid("reviewId is not valid.", { field: "reviewId" });
  const review = await deps.reviews.getReview(reviewId);
  if (!review) throw notFound("No such access review.", { reviewId });
  const pageSize = query.pageSize === undefined ? 50 : Number(query.pageSize);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > PAGE)
    throw invalid(`pageSize must be a whole number from 1 to ${PAGE}.`, { field: "pageSize" });
  if (query.undecided !== undefined && query.undecided !== "true" && query.undecided !== "false")
    throw invalid("undecided must be true or false.", { field: "undecided" });
  if (query.continuation !== undefined && (typeof query.continuation !== "string" || query.continuation.length > 8000))
    throw invalid("continuation is not valid.", { field: "continuation" });
  const page = await deps.reviews.listItems(
    review.value.id,
    { ...(tenantIds ? { tenantIds } : {}), undecided: query.undecided === "true" },
    { pageSize, continuation: (query.continuation as string | undefined) ?? null },
  );
  const progress = (await deps.reviews.progress(review.value.id)).filter(
    (p) => !tenantIds || tenantIds.includes(p.tenantId),
  );
  return {
    review: review.value,
    users: progress.reduce((n, p) => n + p.users, 0),
    decided: progress.reduce((n, p) => n + p.decided, 0),
    items: page.items,
    continuation: page.continuation,
  };
};

/** Every item of a review in the reader's reach, with its decision: the recorded results. */
export const exportReview = async (
  deps: ServiceDeps,
  identity: Identity,
  reviewId: unknown,
): Promise<{ review: AccessReview; items: AsyncIterable<ReviewItem> }> => {
  const { tenantIds } = await reviewReach(deps, identity);
  if (typeof reviewId !== "string" || reviewId.length > 100)
    throw invalid("reviewId is not valid.", { field: "reviewId" });
  const review = await deps.reviews.getReview(reviewId);
  if (!review) throw notFound("No such access review.", { reviewId });
  const items = (async function* () {
    let continuation: string | null = null;
    do {
      const page: Page<ReviewItem> = await deps.reviews.listItems(review.value.id, tenantIds ? { tenantIds } : {}, {
        pageSize: PAGE,
        continuation,
      });
      yield* page.items;
      continuation = page.continuation;
    } while (continuation);
  })();
  return { review: review.value, items };
};
