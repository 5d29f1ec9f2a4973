import type { AccessReview, ReviewItem } from "../domain/access-review.js";
import type { AccessRequest, CardLocation, FollowUps, LeasedStep } from "../domain/access-request.js";
import type { ConversationAddress } from "../domain/conversation.js";
import type { AuditAction, AuditEvent } from "../domain/audit.js";
import type { ActorRef, Assignment, Person } from "../domain/person.js";
import type { Role } from "../domain/roles.js";
import type { Tenant } from "../domain/tenant.js";

/** A document with the ETag it was read or written with: the token for the next conditional write. */
export type Stored<T> = { value: T; etag: string };

/** ETags compared as HTTP does for If-Match: quotes and a weak prefix do not matter. */
export const sameEtag = (a: string, b: string): boolean => {
  const bare = (e: string) =>
    e
      .trim()
      .replace(/^W\//, "")
      .replace(/^"(.*)"$/, "$1");
  return bare(a) === bare(b);
};

export type Page<T> = { items: T[]; continuation: string | null };

/** The stored document changed since it was read (stale ETag or failed condition). */
export class PreconditionFailed extends Error {
  constructor(what: string) {
    super(`${what} changed since it was read`);
    this.name = "PreconditionFailed";
  }
}

/** A document with this id already exists. */
export class AlreadyExists extends Error {
  constructor(what: string) {
    super(`${what} already exists`);
    this.name = "AlreadyExists";
  }
}

/** The store did not answer (down, throttled beyond retries, timed out). */
export class StoreUnavailable extends Error {
  constructor(cause: unknown) {
    super("the store did not answer", { cause });
    this.name = "StoreUnavailable";
  }
}

export interface PeopleStore {
  get(personId: string): Promise<Stored<Person> | undefined>;
  /** @throws AlreadyExists */
  create(person: Person): Promise<Stored<Person>>;
  /** @throws PreconditionFailed when the ETag is stale */
  replace(person: Person, etag: string): Promise<Stored<Person>>;
  /** People holding a role (enabled or not); used to reach admins when no channel is set. */
  listByRole(role: Role, limit: number): Promise<Person[]>;
  /** One page of people matching a filter, in the given order, with a continuation token for the next. */
  search(
    filter: PeopleFilter,
    sort: PeopleSort,
    page: { pageSize: number; continuation?: string | null },
  ): Promise<Page<Person>>;
  /**
   * Marks the person's last direct change as audited, unless the person changed again since `etag`.
   * Returns the person's new ETag, or null when it had changed.
   */
  markChangeRecorded(personId: string, etag: string): Promise<string | null>;
  /** People whose assignment ends at or before `untilIso` (expired ones and those about to expire). */
  listExpiringBefore(untilIso: string, limit: number): Promise<Stored<Person>[]>;
  /** People of a directory that belong to no tenant yet (to place them when the directory is linked). */
  listWithoutTenant(directoryId: string, limit: number): Promise<Person[]>;
  /** People whose last direct change has no audit event yet (for the reconciler). */
  listUnrecordedChanges(limit: number): Promise<Person[]>;
  /** The stored people among these ids (one query, not a read per id); unknown ids are left out. */
  getMany(personIds: readonly string[]): Promise<Stored<Person>[]>;
  /** One page of a directory's people who are enabled or hold an assignment (those offboarding would change). */
  listActiveInDirectory(
    directoryId: string,
    page: { pageSize: number; continuation?: string | null },
  ): Promise<Page<Stored<Person>>>;
}

/** What the People page filters on; `tenantIds` is the actor's reach (undefined: all tenants). */
export type PeopleFilter = {
  search?: string;
  role?: Role;
  status?: "user" | "no-access" | "disabled" | "pending";
  tenantId?: string;
  tenantIds?: readonly string[];
  /** Assignments that expire before this moment count as no access. */
  now: string;
};
export const PEOPLE_SORT_FIELDS = ["name", "role", "expiresAt", "grantedAt"] as const;
export type PeopleSort = { field: (typeof PEOPLE_SORT_FIELDS)[number]; order: "asc" | "desc" };

export interface RequestStore {
  get(personId: string, requestId: string): Promise<Stored<AccessRequest> | undefined>;
  /** @throws AlreadyExists */
  create(request: AccessRequest): Promise<Stored<AccessRequest>>;
  /** @throws PreconditionFailed when the ETag is stale */
  replace(request: AccessRequest, etag: string): Promise<Stored<AccessRequest>>;
  /** Records where the admins-channel card was posted (and that posting it is done); no ETag needed. */
  setCard(personId: string, requestId: string, card: CardLocation): Promise<void>;
  /** Gives a lease back without finishing the step (it can be taken again at once). */
  releaseFollowUp(personId: string, requestId: string, step: LeasedStep): Promise<void>;
  /** Marks follow-up steps done (and their leases released); `finished` clears the reconciler's flag. */
  markFollowUps(personId: string, requestId: string, done: Partial<FollowUps>, finished: boolean): Promise<void>;
  /**
   * Takes the lease on a Teams-facing follow-up step. False when the step is done or another sender
   * took the lease less than `leaseMs` ago: then this caller must not send.
   */
  claimFollowUp(
    personId: string,
    requestId: string,
    step: LeasedStep,
    nowMs: number,
    leaseMs: number,
  ): Promise<boolean>;
  /** Pending requests, oldest first, optionally limited to requesters of some tenants. */
  listPending(
    scope: { tenantIds: readonly string[] } | "all",
    page: { pageSize: number; continuation?: string | null },
  ): Promise<Page<AccessRequest>>;
  /** Decided requests whose follow-ups did not all land. */
  listUnfinished(limit: number): Promise<AccessRequest[]>;
  /** Requests (pending or decided, not cancelled) that have no admins-channel card yet. */
  listUnannounced(limit: number): Promise<AccessRequest[]>;
  /** Pending requests filed at or before `iso`, oldest first. */
  listPendingFiledBefore(iso: string, limit: number): Promise<AccessRequest[]>;
  /** Records that admins were reminded of a waiting request. */
  markReminded(personId: string, requestId: string, at: string): Promise<void>;
  /** How many requests are pending, optionally among requesters of some tenants. */
  countPending(scope: { tenantIds: readonly string[] } | "all"): Promise<number>;
  /** A person's requests, newest first. */
  listForPerson(personId: string, limit: number): Promise<AccessRequest[]>;
}

/** Where a partition's audit chain stands: its last place and hash, and the ETag of its head record (null: empty). */
export type ChainPosition = { seq: number; hash: string; etag: string | null; lastId: string | null };

/** What deciding a request reads, in the requester's partition. */
export type DecisionState = {
  request: Stored<AccessRequest>;
  /** The requester; undefined if their record is gone. */
  person: Stored<Person> | undefined;
  chain: ChainPosition;
};

/**
 * A decision in the requester's partition, each step one round trip: the request, the requester and
 * the audit chain read together, then written together.
 */
export interface DecisionStore {
  /** Undefined when there is no such request. */
  read(personId: string, requestId: string): Promise<DecisionState | undefined>;
  /**
   * Writes the decided request, the requester's new record (null: unchanged) and the decision's audit
   * event at the end of the chain, in one transaction where the store has them (the request's write
   * is the commit point; the other two are idempotent follow-ups the caller tracks on the request).
   * @throws PreconditionFailed when the request, the requester or the chain changed since `state` was read
   */
  commit(
    state: DecisionState,
    request: AccessRequest,
    person: Person | null,
    event: AuditEvent,
  ): Promise<Stored<AccessRequest>>;
}

export interface AuditLog {
  /** Idempotent: an event whose id exists is not written again. */
  append(event: AuditEvent): Promise<void>;
  listForPerson(personId: string, limit: number): Promise<AuditEvent[]>;
  /** One page of events matching a filter, newest first, with a continuation token for the next. */
  search(filter: AuditFilter, page: { pageSize: number; continuation?: string | null }): Promise<Page<AuditEvent>>;
}

/** What the Audit page filters on; `tenantIds` is the reader's reach (undefined: everything). */
export type AuditFilter = {
  tenantIds?: readonly string[];
  action?: AuditAction;
  /** Events about this person. */
  personId?: string;
  /** Lower-case text found in the actor's or the subject's name. */
  who?: string;
  /** ISO times: from (inclusive) and to (exclusive). */
  from?: string;
  to?: string;
};

export interface TenantStore {
  list(): Promise<Tenant[]>;
  /** Every tenant with its ETag, read fresh (for editing). */
  listStored(): Promise<Stored<Tenant>[]>;
  get(id: string): Promise<Stored<Tenant> | undefined>;
  /** Idempotent: an existing tenant with this id is left as it is. */
  ensure(tenant: Tenant): Promise<Tenant>;
  /** @throws AlreadyExists */
  create(tenant: Tenant): Promise<Stored<Tenant>>;
  /** @throws PreconditionFailed when the ETag is stale */
  replace(tenant: Tenant, etag: string): Promise<Stored<Tenant>>;
}

/** The channel where request cards are posted, and how it was chosen. */
export type AdminChannel = {
  channelId: string;
  teamId: string | null;
  /** Filled from the first authenticated activity seen in that channel. */
  address: ConversationAddress | null;
  source: "config" | "command";
  setBy: ActorRef | null;
  setAt: string;
};

export interface SettingsStore {
  getAdminChannel(): Promise<AdminChannel | undefined>;
  saveAdminChannel(channel: AdminChannel): Promise<void>;
  /** Where directory sync of one directory stands (never cached: one instance at a time writes it). */
  getDirectorySync(directoryId: string): Promise<DirectorySyncState | undefined>;
  saveDirectorySync(state: DirectorySyncState): Promise<void>;
}

/** Directory sync's bookmark for one directory: the delta link that asks Graph only for later changes. */
export type DirectorySyncState = {
  directoryId: string;
  /** Null until a full sync has finished (or after Graph said the link expired). */
  deltaLink: string | null;
  lastFullSyncAt: string | null;
  /** When a run last started on this directory (a run is due DIRECTORY_SYNC_EVERY_MINUTES after). */
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  /** A short reason, never a token or secret. */
  lastFailure: string | null;
};

export interface ConversationStore {
  getPersonal(personId: string): Promise<ConversationAddress | undefined>;
  /** The address this instance last read or wrote for the person, without asking the store. */
  cachedPersonal(personId: string): ConversationAddress | undefined;
  savePersonal(personId: string, address: ConversationAddress): Promise<void>;
}

/** What the requester or an admin is told in their personal chat. */
export type PersonalMessage =
  | { kind: "request-decided"; request: AccessRequest; tenants: Tenant[] }
  | { kind: "no-admin-channel"; request: AccessRequest }
  | { kind: "access-expiring"; assignment: Assignment; tenants: Tenant[] }
  | { kind: "access-expired"; assignment: Assignment; tenants: Tenant[] };

/** Someone directory sync changed, as the admins' note lists them. */
export type DirectoryChange = {
  personId: string;
  name: string;
  upn: string | null;
  reason: "disabled" | "deleted" | "re-enabled";
  /** The access taken away (null: they had none). */
  assignment: Assignment | null;
  /** Their waiting request was closed. */
  requestClosed: boolean;
};

/** What is posted into the admins channel besides request cards. */
export type ChannelMessage =
  | { kind: "pending-reminder"; requests: AccessRequest[]; waitingHours: number }
  | { kind: "directory-offboarding"; changes: DirectoryChange[]; total: number; tenants: Tenant[] };

/** What a request card shows: the request as stored now, and the tenants for the pickers. */
export type RequestCardView = { request: AccessRequest; tenants: Tenant[] };

/** Access reviews: a header per review, and one item per user under review (in that person's partition). */
export interface ReviewStore {
  getReview(id: string): Promise<Stored<AccessReview> | undefined>;
  /** @throws AlreadyExists */
  createReview(review: AccessReview): Promise<Stored<AccessReview>>;
  /** @throws PreconditionFailed when the ETag is stale */
  replaceReview(review: AccessReview, etag: string): Promise<Stored<AccessReview>>;
  /** Reviews, newest first. */
  listReviews(limit: number): Promise<AccessReview[]>;
  /** Creates the item unless it exists (then returns the stored one). */
  ensureItem(item: ReviewItem): Promise<Stored<ReviewItem>>;
  getItem(personId: string, reviewId: string): Promise<Stored<ReviewItem> | undefined>;
  /** @throws PreconditionFailed when the ETag is stale */
  replaceItem(item: ReviewItem, etag: string): Promise<Stored<ReviewItem>>;
  /** One page of a review's items by name; `tenantIds` limits to a reach, `undecided` to those left to decide. */
  listItems(
    reviewId: string,
    filter: { tenantIds?: readonly (string | null)[]; undecided?: boolean },
    page: { pageSize: number; continuation?: string | null },
  ): Promise<Page<ReviewItem>>;
  /** Per tenant: users under review and how many are decided (or superseded). */
  progress(reviewId: string): Promise<Array<{ tenantId: string | null; users: number; decided: number }>>;
}

/** What a tenant's review card shows. */
export type ReviewCardView = {
  review: AccessReview;
  tenant: { id: string | null; name: string };
  progress: { users: number; decided: number };
  /** The next users left to decide (a few), with their assignment as reviewed. */
  next: ReviewItem[];
  tenants: Tenant[];
};

/** Outbound messages to Teams, behind an interface so services never see the Teams SDK. */
export interface Notifier {
  postRequestCard(channel: ConversationAddress, view: RequestCardView): Promise<CardLocation>;
  updateRequestCard(location: CardLocation, view: RequestCardView): Promise<void>;
  sendPersonal(to: ConversationAddress, message: PersonalMessage): Promise<void>;
  postToChannel(channel: ConversationAddress, message: ChannelMessage): Promise<void>;
  /** Posts a tenant's review card; returns its activity id. */
  postReviewCard(channel: ConversationAddress, view: ReviewCardView): Promise<string>;
  updateReviewCard(channel: ConversationAddress, activityId: string, view: ReviewCardView): Promise<void>;
}

export interface Clock {
  now(): Date;
}

/** The subset of a structured logger the services use. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: object): Logger;
}

/** Runs work after a turn has answered; failures are logged and left to the reconciler. */
export interface Background {
  run(name: string, work: () => Promise<unknown>): void;
  /** Resolves when all work started so far has settled (used on shutdown). */
  idle(): Promise<void>;
}

export interface StoreHealth {
  ping(): Promise<void>;
}

export type { ConversationAddress };

/** One account as Microsoft Graph's delta query reports it; properties left out did not change. */
export type DirectoryAccount =
  | {
      kind: "account";
      id: string;
      displayName?: string | null;
      mail?: string | null;
      userPrincipalName?: string | null;
      accountEnabled?: boolean | null;
    }
  /** Removed from the directory: "changed" is a soft delete (restorable for 30 days), "deleted" is final. */
  | { kind: "removed"; id: string; reason: "changed" | "deleted" };

/** One page of a delta query: the accounts, then either the link to the next page or the delta link. */
export type DirectoryPage = { accounts: DirectoryAccount[]; nextLink: string | null; deltaLink: string | null };

/** Reads the accounts of Entra directories (Microsoft Graph), page by page. */
export interface DirectoryReader {
  /** The allowed directories this reader can read (a managed identity reads only its own). */
  readable(allowedDirectoryIds: readonly string[]): string[];
  /**
   * One page: from `link` (a next link, or the delta link of an earlier sync), or from the start
   * when null. @throws DirectoryResyncRequired when Graph no longer knows the link's sync state;
   * @throws DirectoryUnavailable when the directory cannot be read (sign-in refused, Graph down).
   */
  readPage(directoryId: string, link: string | null): Promise<DirectoryPage>;
}

/** Graph forgot the delta link's state (410 Gone): the directory must be read again from the start. */
export class DirectoryResyncRequired extends Error {
  constructor(readonly directoryId: string) {
    super(`Microsoft Graph asks for a full sync of directory ${directoryId}`);
    this.name = "DirectoryResyncRequired";
  }
}

/** A directory could not be read; `reason` is safe to log and store (no token, no secret). */
export class DirectoryUnavailable extends Error {
  constructor(
    readonly directoryId: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`directory ${directoryId} could not be read: ${reason}`, { cause });
    this.name = "DirectoryUnavailable";
  }
}

/** Cluster-wide leases for scheduled work: one holder at a time across every instance. */
export interface LeaseStore {
  /** Takes (or renews) the named lease for `ttlMs`; false when another holder's lease is still live. */
  acquire(name: string, holder: string, ttlMs: number, nowMs: number): Promise<boolean>;
}
