import type { AccessRequest } from "../domain/access-request.js";
import type { AuditEvent } from "../domain/audit.js";
import { checkRead } from "../domain/grant-policy.js";
import type { Identity, Person } from "../domain/person.js";
import type { ServiceDeps } from "./deps.js";
import { readPersonById, recordChange } from "./person-changes.js";
import { requireActor } from "./register-person.js";

export type PersonDetail = { person: Person; etag: string; requests: AccessRequest[]; history: AuditEvent[] };

/** A person with their requests and history, for someone allowed to see them (themselves, or an admin in reach). */
export const getPerson = async (deps: ServiceDeps, identity: Identity, personId: unknown): Promise<PersonDetail> => {
  const actor = (await requireActor(deps, identity)).value;
  const read = await readPersonById(deps, personId);
  checkRead(actor, read.value, deps.clock.now());
  // A change whose audit event did not land yet is finished before its history is shown.
  const stored = await recordChange(deps, read);
  const [requests, history] = await Promise.all([
    deps.requests.listForPerson(stored.value.personId, 20),
    deps.audit.listForPerson(stored.value.personId, 100),
  ]);
  return { person: stored.value, etag: stored.etag, requests, history };
};
