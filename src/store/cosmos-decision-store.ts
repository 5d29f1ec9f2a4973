import type { Container, JSONObject, OperationInput } from "@azure/cosmos";
import type { AccessRequest } from "../domain/access-request.js";
import type { AuditEvent } from "../domain/audit.js";
import type { Person } from "../domain/person.js";
import { PreconditionFailed, type DecisionState, type DecisionStore, type Stored } from "../services/ports.js";
import { CosmosAuditLog, HEAD_ID, type HeadDoc } from "./cosmos-audit-log.js";
import { BatchFailed, readTogether, transact } from "./cosmos-batch.js";
import { withoutSystemProperties } from "./cosmos-errors.js";
import { personOf, withQueryFields, type CosmosPeopleStore } from "./cosmos-people-store.js";

type Read<T> = (T & { _etag: string }) | undefined;

/**
 * A decision as two round trips in the requester's partition (besides the admin's own record): one
 * batch reads the request, the requester and the audit chain's head; one transactional batch writes the
 * decided request, the requester's new record, the new head and the audit event, each conditional on
 * what was read. The request's own conditional write is the commit point; the service keeps the other
 * two as idempotent follow-ups until they are marked done, so nothing relies on the batch alone.
 */
export class CosmosDecisionStore implements DecisionStore {
  constructor(
    private readonly container: Container,
    private readonly audit: CosmosAuditLog,
    private readonly people: CosmosPeopleStore,
  ) {}

  async read(personId: string, requestId: string): Promise<DecisionState | undefined> {
    const [request, person, head] = (await readTogether(
      this.container,
      personId,
      [requestId, personId, HEAD_ID],
      "request",
    )) as [Read<AccessRequest>, Read<Record<string, unknown>>, Read<HeadDoc>];
    if (request?.type !== "request") return undefined;
    const storedHead = head?.type === "audit-head" ? { value: head, etag: head._etag } : undefined;
    if (storedHead) await this.audit.settle(storedHead.value);
    return {
      request: {
        value: withoutSystemProperties<AccessRequest>(request as unknown as Record<string, unknown>),
        etag: request._etag,
      },
      person: person?.type === "person" ? { value: personOf(person), etag: person._etag } : undefined,
      chain: CosmosAuditLog.positionOf(storedHead),
    };
  }

  async commit(
    state: DecisionState,
    request: AccessRequest,
    person: Person | null,
    event: AuditEvent,
  ): Promise<Stored<AccessRequest>> {
    const operations: OperationInput[] = [
      {
        operationType: "Replace",
        id: request.id,
        resourceBody: request as unknown as JSONObject,
        ifMatch: state.request.etag,
      },
    ];
    if (person && state.person) {
      operations.push({
        operationType: "Replace",
        id: person.personId,
        resourceBody: withQueryFields(person) as unknown as JSONObject,
        ifMatch: state.person.etag,
      });
    }
    operations.push(...CosmosAuditLog.appendOperations(event, state.chain));
    try {
      const [saved] = await transact(this.container, request.personId, operations, "request");
      return { value: request, etag: saved!.eTag ?? "" };
    } catch (e) {
      // A stale request, requester or chain head (or a decision event already written): nothing was applied.
      if (e instanceof BatchFailed) throw new PreconditionFailed("request");
      throw e;
    } finally {
      if (person) this.people.forget(person.personId);
    }
  }
}
