import type { Container, JSONObject, JSONValue, OperationInput, SqlParameter } from "@azure/cosmos";
import { chain, GENESIS, verifyChain, type ChainedAuditEvent, type ChainProblem } from "../domain/audit-chain.js";
import type { AuditEvent } from "../domain/audit.js";
import {
  AlreadyExists,
  PreconditionFailed,
  type AuditFilter,
  type AuditLog,
  type ChainPosition,
  type Page,
  type Stored,
} from "../services/ports.js";
import { LRUCache } from "lru-cache";
import { BatchFailed, transact } from "./cosmos-batch.js";
import { CosmosDocuments } from "./cosmos-documents.js";
import { mapStoreError, withoutSystemProperties } from "./cosmos-errors.js";

/** The head of one chain (one partition): its last sequence number and hash, and that last event itself. */
export type HeadDoc = {
  id: typeof HEAD_ID;
  personId: string;
  type: "audit-head";
  seq: number;
  hash: string;
  last: ChainedAuditEvent | null;
  /** Written in one batch with its last event: that event is stored (heads without it predate batches). */
  settled?: boolean;
};

/** The id of every chain's head document. */
export const HEAD_ID = "audit-head";

const ATTEMPTS = 10;

/** How many chains' last settled event this instance remembers (a miss costs one idempotent create). */
const SETTLED_MEMORY = 10_000;

/**
 * The audit log on Cosmos DB, one hash chain per partition (each person; `_settings`; `_tenants`).
 * Appending reads the chain's head, then writes the new head (conditional on the one read) and the
 * event in one transactional batch: both or neither, in two round trips. A decision appends its event
 * in the batch that records the decision (see CosmosDecisionStore). No code path updates or deletes an
 * event. Heads written before batches carried the event only in the head: it is stored when next read.
 */
export class CosmosAuditLog implements AuditLog {
  private readonly heads: CosmosDocuments<HeadDoc>;
  private readonly events: CosmosDocuments<ChainedAuditEvent>;
  /** Chain → id of its last event known to be stored by this instance: settling it again is skipped. */
  private readonly settled = new LRUCache<string, string>({ max: SETTLED_MEMORY });

  constructor(private readonly container: Container) {
    this.heads = new CosmosDocuments<HeadDoc>(container, "audit chain", (d) => d.type === "audit-head");
    this.events = new CosmosDocuments<ChainedAuditEvent>(container, "audit event", (d) => d.type === "audit");
  }

  /** Writes the event an older head carries, if it is not stored yet. */
  async settle(head: HeadDoc): Promise<void> {
    if (!head.last || head.settled || this.settled.get(head.personId) === head.last.id) return;
    try {
      await this.events.create(head.last);
    } catch (e) {
      if (!(e instanceof AlreadyExists)) throw e;
    }
    this.settled.set(head.personId, head.last.id);
  }

  /** Where a chain stands, from its head as read (undefined: an empty chain). */
  static positionOf(head: Stored<HeadDoc> | undefined): ChainPosition {
    return head
      ? { seq: head.value.seq, hash: head.value.hash, etag: head.etag, lastId: head.value.last?.id ?? null }
      : { seq: 0, hash: GENESIS, etag: null, lastId: null };
  }

  /** The batch operations that append `event` at `position`: the new head (conditional) and the event. */
  static appendOperations(event: AuditEvent, position: ChainPosition): OperationInput[] {
    const linked = chain(event, position);
    const head: HeadDoc = {
      id: HEAD_ID,
      personId: event.personId,
      type: "audit-head",
      seq: linked.seq,
      hash: linked.hash,
      last: linked,
      settled: true,
    };
    return [
      position.etag === null
        ? { operationType: "Create", resourceBody: head as unknown as JSONObject }
        : {
            operationType: "Replace",
            id: HEAD_ID,
            resourceBody: head as unknown as JSONObject,
            ifMatch: position.etag,
          },
      { operationType: "Create", resourceBody: linked as unknown as JSONObject },
    ];
  }

  async append(event: AuditEvent): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const head: Stored<HeadDoc> | undefined = await this.heads.get(HEAD_ID, event.personId);
      if (head) await this.settle(head.value);
      if (head?.value.last?.id === event.id) return; // appended already
      const ops = CosmosAuditLog.appendOperations(event, CosmosAuditLog.positionOf(head));
      try {
        await transact(this.container, event.personId, ops, "audit chain");
        return;
      } catch (e) {
        if (!(e instanceof BatchFailed)) throw e;
        // The event is in the chain already (an earlier place): appending is idempotent.
        if (e.index === 1 && e.statusCode === 409) return;
        if (e.index === -1 && e.statusCode === 409 && (await this.events.get(event.id, event.personId))) return;
        // Otherwise someone else took this place: read the head again.
      }
    }
    throw new PreconditionFailed("audit chain");
  }

  async listForPerson(personId: string, limit: number): Promise<AuditEvent[]> {
    try {
      const { resources } = await this.container.items
        .query<AuditEvent>(
          {
            query: "SELECT * FROM c WHERE c.personId = @p AND c.type = 'audit' ORDER BY c.seq DESC",
            parameters: [{ name: "@p", value: personId }],
          },
          { partitionKey: personId, maxItemCount: limit },
        )
        .fetchNext();
      return resources
        .slice(0, limit)
        .map((d) => withoutSystemProperties<AuditEvent>(d as unknown as Record<string, unknown>));
    } catch (e) {
      throw mapStoreError(e, "audit events");
    }
  }

  async search(
    filter: AuditFilter,
    page: { pageSize: number; continuation?: string | null },
  ): Promise<Page<AuditEvent>> {
    const where = ["c.type = 'audit'"];
    const parameters: SqlParameter[] = [];
    const add = (condition: string, name: string, value: JSONValue) => {
      where.push(condition);
      parameters.push({ name, value });
    };
    if (filter.tenantIds) add("ARRAY_CONTAINS(@tenantIds, c.tenantId)", "@tenantIds", [...filter.tenantIds]);
    if (filter.action) add("c.action = @action", "@action", filter.action);
    if (filter.personId) add("c.personId = @personId", "@personId", filter.personId);
    if (filter.who)
      add("(CONTAINS(LOWER(c.actor.name), @who) OR CONTAINS(LOWER(c.subject.name), @who))", "@who", filter.who);
    if (filter.from) add("c.at >= @from", "@from", filter.from);
    if (filter.to) add("c.at < @to", "@to", filter.to);
    try {
      const result = await this.container.items
        .query<AuditEvent>(
          { query: `SELECT * FROM c WHERE ${where.join(" AND ")} ORDER BY c.at DESC`, parameters },
          {
            maxItemCount: page.pageSize,
            ...(filter.personId ? { partitionKey: filter.personId } : {}),
            ...(page.continuation ? { continuationToken: page.continuation } : {}),
          },
        )
        .fetchNext();
      return {
        items: result.resources.map((d) =>
          withoutSystemProperties<AuditEvent>(d as unknown as Record<string, unknown>),
        ),
        continuation: result.continuationToken ?? null,
      };
    } catch (e) {
      throw mapStoreError(e, "audit events");
    }
  }

  /** Walks every chain and reports edited, missing or reordered events. */
  async verifyAll(): Promise<{ chains: number; events: number; problems: ChainProblem[] }> {
    const heads = await this.heads.query("SELECT * FROM c WHERE c.type = 'audit-head'", [], 1_000_000);
    const problems: ChainProblem[] = [];
    let events = 0;
    for (const head of heads) {
      const chainEvents = await this.events.query(
        "SELECT * FROM c WHERE c.personId = @p AND c.type = 'audit'",
        [{ name: "@p", value: head.personId }],
        1_000_000,
        head.personId,
      );
      events += chainEvents.length;
      problems.push(...verifyChain(head.personId, chainEvents, { seq: head.seq, hash: head.hash }));
    }
    // Events in a partition without a head: a chain whose record was removed.
    const partitions = await this.container.items
      .query<string>("SELECT VALUE c.personId FROM c WHERE c.type = 'audit'")
      .fetchAll();
    const known = new Set(heads.map((h) => h.personId));
    for (const personId of new Set(partitions.resources)) {
      if (!known.has(personId))
        problems.push({
          chain: personId,
          seq: null,
          id: null,
          kind: "missing",
          detail: "the chain's head record is missing",
        });
    }
    return { chains: heads.length, events, problems };
  }
}
