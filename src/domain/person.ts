import type { AuditEvent } from "./audit.js";
import type { Role } from "./roles.js";
import type { TenantAccess } from "./tenant.js";

/** Who did something, as recorded on assignments, decisions and audit events. */
export type ActorRef = { personId: string; name: string };

/** The system itself as an actor (start-up bootstrap, reconciler). */
export const SYSTEM_ACTOR: ActorRef = { personId: "system", name: "Access Desk" };

/** An Entra identity as Teams authenticated it: object id plus directory (Entra tenant) id. */
export type Identity = {
  objectId: string;
  directoryId: string;
  name: string | null;
  upn: string | null;
  email: string | null;
};

/** A role assignment: what makes a person a user, with who granted it, when and why. */
export type Assignment = {
  role: Role;
  tenantAccess: TenantAccess;
  expiresAt: string | null;
  grantedBy: ActorRef;
  grantedAt: string;
  justification: string | null;
  requestId: string | null;
};

export type PersonSource = "self-registration" | "entra" | "initial-admin";

/** Why directory sync offboarded a person: the Entra account was disabled, or deleted. */
export type DirectoryOffboardReason = "disabled" | "deleted";

/** Anyone the app knows. A person has no access until an assignment is granted. */
export type Person = {
  id: string;
  personId: string;
  type: "person";
  objectId: string;
  directoryId: string;
  name: string;
  upn: string | null;
  email: string | null;
  source: PersonSource;
  homeTenantId: string | null;
  enabled: boolean;
  assignment: Assignment | null;
  /** The open request, kept here so that `status` is one point read. */
  pendingRequest: { requestId: string; createdAt: string } | null;
  /** Sequence of the last request created, so request ids are deterministic per person. */
  requestSeq: number;
  /** The grant (its grantedAt) the person was last reminded about before it expires. */
  expiryReminderFor?: string | null;
  /** When the person's latest requests were filed (newest last), for the per-hour limit. */
  recentRequests?: string[];
  /** Sequence of the last direct change (tab), so its audit event id is deterministic. */
  changeSeq?: number;
  lastChange?: PendingAudit | null;
  /**
   * Set when directory sync disabled the person because their Entra account was disabled or deleted:
   * only such a person is enabled again when the account is. An admin's own enable or disable clears it.
   */
  disabledByDirectory?: { at: string; reason: DirectoryOffboardReason } | null;
  createdAt: string;
  updatedAt: string;
};

/** Object ids are GUIDs; a person's id is the lower-case object id. */
export const personIdFor = (objectId: string): string => objectId.toLowerCase();

export const isAssignmentActive = (assignment: Assignment | null, now: Date): assignment is Assignment =>
  assignment !== null && (assignment.expiresAt === null || Date.parse(assignment.expiresAt) > now.getTime());

/** The role a person can act with right now, or null (no access, expired or disabled). */
export const activeRole = (person: Pick<Person, "enabled" | "assignment">, now: Date): Role | null =>
  person.enabled && isAssignmentActive(person.assignment, now) ? person.assignment.role : null;

/** What the People page shows and filters on; "pending" is a flag beside it, not a status. */
export const PERSON_STATUSES = ["user", "no-access", "disabled"] as const;
export type PersonStatus = (typeof PERSON_STATUSES)[number];

export const personStatus = (person: Pick<Person, "enabled" | "assignment">, now: Date): PersonStatus =>
  !person.enabled ? "disabled" : isAssignmentActive(person.assignment, now) ? "user" : "no-access";

/**
 * The last audited change made directly to the person (from the People tab), committed with the person
 * itself; its audit event is written right after and recovered by the reconciler if that write was lost.
 */
export type PendingAudit = { event: AuditEvent; recorded: boolean };

export const displayName = (person: Pick<Person, "name" | "upn" | "objectId">): string =>
  person.name || person.upn || person.objectId;
