import type { ActorRef, Assignment, Person } from "./person.js";

/** The partition that holds review headers. */
export const REVIEWS_PARTITION = "_reviews";

export const REVIEW_OUTCOMES = ["keep", "revoke"] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];
export const isReviewOutcome = (v: unknown): v is ReviewOutcome => v === "keep" || v === "revoke";

/** Where a tenant's review card lives in the admins channel, to update it in place. */
export type ReviewCard = { tenantId: string | null; activityId: string };

/**
 * An access review: every user at the moment it started, to be kept or revoked by the reviewers of
 * their tenant before the deadline; what is left undecided then follows `defaultOutcome`.
 */
export type AccessReview = {
  id: string;
  personId: typeof REVIEWS_PARTITION;
  type: "review";
  /** `starting` while its items are being written (a crash resumes it); `open`; `closed` after the deadline. */
  status: "starting" | "open" | "closed";
  startedAt: string;
  startedBy: ActorRef;
  deadline: string;
  defaultOutcome: ReviewOutcome;
  /** Tenants with users under review, and how many. */
  tenants: Array<{ tenantId: string | null; users: number }>;
  cards: ReviewCard[];
  closedAt: string | null;
  /** Filled when closed. */
  results: { kept: number; revoked: number; byDefault: number; superseded: number } | null;
};

/** One user under review: what they had when the review started, and what the reviewer decided. */
export type ReviewItem = {
  id: string;
  /** The person under review (their partition). */
  personId: string;
  type: "review-item";
  reviewId: string;
  tenantId: string | null;
  name: string;
  upn: string | null;
  assignment: Assignment;
  decision: {
    outcome: ReviewOutcome;
    by: ActorRef;
    at: string;
    reason: string | null;
    /** Decided by the deadline's default, not by a person. */
    byDefault: boolean;
  } | null;
  /** The person's access changed after the review started (a new grant, removal): nothing to decide. */
  superseded: boolean;
};

/** A review's id from its start: at most one review starts per minute. */
export const reviewIdFor = (startedAt: Date): string =>
  `review-${startedAt.toISOString().slice(0, 16).replace(/[-:]/g, "")}`;

export const reviewItemIdFor = (reviewId: string): string => `item-${reviewId}`;

/** The item for a user at the start of a review. */
export const reviewItemFor = (review: Pick<AccessReview, "id">, person: Person): ReviewItem => ({
  id: reviewItemIdFor(review.id),
  personId: person.personId,
  type: "review-item",
  reviewId: review.id,
  tenantId: person.homeTenantId,
  name: person.name,
  upn: person.upn,
  assignment: person.assignment!,
  decision: null,
  superseded: false,
});

/** Whether the person still holds the very grant the item reviews (same grant time and role). */
export const stillUnderReview = (item: ReviewItem, person: Pick<Person, "assignment">): boolean =>
  person.assignment !== null &&
  person.assignment.grantedAt === item.assignment.grantedAt &&
  person.assignment.role === item.assignment.role;
