import { newAccessRequest, type AccessRequest } from "../domain/access-request.js";
import { conflict, invalid, notAllowed, rateLimited } from "../domain/errors.js";
import { activeRole, type Identity, type Person } from "../domain/person.js";
import { isRole, type Role } from "../domain/roles.js";
import { cleanText, JUSTIFICATION_MAX } from "../domain/text.js";
import { announceRequest } from "./announce-request.js";
import { endsSoon } from "./govern-access.js";
import type { ServiceDeps } from "./deps.js";
import { AlreadyExists, type ConversationAddress, type Stored } from "./ports.js";
import { registerPerson } from "./register-person.js";
import { rememberPersonalConversation } from "./remember-conversation.js";
import { updatePerson } from "./update-person.js";

export type SubmitInput = {
  identity: Identity;
  justification: unknown;
  wishedRole: unknown;
  /** The requester's personal chat, for telling them the outcome later. */
  conversation: ConversationAddress | null;
};

export type SubmitResult =
  | { kind: "submitted"; request: AccessRequest; routed: boolean }
  | { kind: "already-pending"; request: AccessRequest }
  | { kind: "has-access"; person: Person };

const parseWishedRole = (value: unknown): Role | null => {
  if (value === undefined || value === null || value === "") return null;
  if (!isRole(value)) throw invalid("Wished role is not one of the offered roles.", { field: "wishedRole" });
  return value;
};

const newRequest = (
  person: Person,
  seq: number,
  justification: string,
  wishedRole: Role | null,
  at: string,
): AccessRequest => newAccessRequest(person, seq, justification, wishedRole, at);

/** The pending request a person already has, if any (re-read from the store, never trusted from the person record alone). */
const openRequestOf = async (deps: ServiceDeps, person: Person): Promise<AccessRequest | undefined> => {
  if (!person.pendingRequest) return undefined;
  const stored = await deps.requests.get(person.personId, person.pendingRequest.requestId);
  return stored?.value.status === "pending" ? stored.value : undefined;
};

/**
 * Creates the request with the next per-person sequence number. The id is deterministic, so two
 * concurrent submissions collide on create and the loser finds the winner's pending request.
 */
const createNextRequest = async (
  deps: ServiceDeps,
  person: Person,
  justification: string,
  wishedRole: Role | null,
): Promise<{ request: AccessRequest; created: boolean }> => {
  let seq = person.requestSeq + 1;
  for (let attempt = 0; attempt < 10; attempt++, seq++) {
    const request = newRequest(person, seq, justification, wishedRole, deps.clock.now().toISOString());
    try {
      const stored: Stored<AccessRequest> = await deps.requests.create(request);
      return { request: stored.value, created: true };
    } catch (e) {
      if (!(e instanceof AlreadyExists)) throw e;
      const existing = await deps.requests.get(person.personId, request.id);
      if (existing?.value.status === "pending") return { request: existing.value, created: false };
    }
  }
  throw conflict("Could not file the request right now; try again.");
};

const HOUR_MS = 3_600_000;

/** At most `requestsPerHour` requests per person per hour, counted from the store (every instance agrees). */
const checkRequestRate = (deps: ServiceDeps, person: Person): void => {
  const now = deps.clock.now().getTime();
  const recent = (person.recentRequests ?? []).map(Date.parse).filter((t) => now - t < HOUR_MS);
  if (recent.length < deps.policy.requestsPerHour) return;
  const wait = Math.ceil((Math.min(...recent) + HOUR_MS - now) / 1000);
  throw rateLimited(
    `You have asked for access ${recent.length} times in the last hour. Try again in ${Math.ceil(wait / 60)} minutes.`,
    wait,
  );
};

/** A person asks for access: at most one pending request per person, then the admins are told. */
export const submitAccessRequest = async (deps: ServiceDeps, input: SubmitInput): Promise<SubmitResult> => {
  if (!deps.policy.governance.selfRegistration) {
    throw notAllowed(
      `Access Desk is not taking new requests at the moment. Please contact ${deps.policy.governance.contact}.`,
      {
        reason: "self-registration-off",
      },
    );
  }
  const justification = cleanText("Justification", input.justification, { min: 1, max: JUSTIFICATION_MAX });
  const wishedRole = parseWishedRole(input.wishedRole);
  const stored = await registerPerson(deps, input.identity);
  const person = stored.value;
  const log = deps.logger.child({ personId: person.personId });
  if (!person.enabled) {
    throw notAllowed("Your account is disabled; ask an administrator.", { reason: "disabled" });
  }
  if (input.conversation)
    await rememberPersonalConversation(deps, person.personId, input.conversation, { personKnown: true });
  // A user may ask only to extend access that ends soon (the reminder offers it).
  const now = deps.clock.now();
  if (activeRole(person, now) !== null && !endsSoon(deps, person, now)) return { kind: "has-access", person };

  const open = await openRequestOf(deps, person);
  if (open) return { kind: "already-pending", request: open };
  checkRequestRate(deps, person);

  const { request, created } = await createNextRequest(deps, person, justification, wishedRole);
  await updatePerson(
    deps,
    person.personId,
    (cur) =>
      cur.pendingRequest?.requestId === request.id && cur.requestSeq >= request.seq
        ? null
        : {
            ...cur,
            requestSeq: Math.max(cur.requestSeq, request.seq),
            pendingRequest: { requestId: request.id, createdAt: request.createdAt },
            recentRequests: [...(cur.recentRequests ?? []), request.createdAt].slice(-deps.policy.requestsPerHour),
          },
    stored,
  );
  if (!created) return { kind: "already-pending", request };

  log.info({ requestId: request.id, wishedRole }, "access request submitted");
  const routed = (await deps.settings.getAdminChannel()) !== undefined;
  // The audit event and the admins' card follow the commit (the request's creation) beside the answer;
  // the reconciler finishes both for a request that has no card yet.
  deps.background.run("announce-request", () => announceRequest(deps, request.personId, request.id, request));
  return { kind: "submitted", request, routed };
};
