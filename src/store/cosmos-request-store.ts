import type { Container, PatchOperation, SqlQuerySpec } from "@azure/cosmos";
import type { AccessRequest, CardLocation, FollowUps, LeasedStep } from "../domain/access-request.js";
import { PreconditionFailed, type Page, type RequestStore, type Stored } from "../services/ports.js";
import { CosmosDocuments } from "./cosmos-documents.js";
import { mapStoreError, withoutSystemProperties } from "./cosmos-errors.js";

type Doc = AccessRequest & { _etag?: string };

const toRequest = (doc: Doc) => withoutSystemProperties<AccessRequest>(doc as unknown as Record<string, unknown>);

/** Access requests on Cosmos DB, in their requester's partition. */
export class CosmosRequestStore implements RequestStore {
  private readonly docs: CosmosDocuments<AccessRequest>;
  constructor(private readonly container: Container) {
    this.docs = new CosmosDocuments<AccessRequest>(container, "request", (d) => d.type === "request");
  }

  get(personId: string, requestId: string): Promise<Stored<AccessRequest> | undefined> {
    return this.docs.get(requestId, personId);
  }

  create(request: AccessRequest): Promise<Stored<AccessRequest>> {
    return this.docs.create(request);
  }

  replace(request: AccessRequest, etag: string): Promise<Stored<AccessRequest>> {
    return this.docs.replace(request, etag);
  }

  async setCard(personId: string, requestId: string, card: CardLocation): Promise<void> {
    await this.patch(personId, requestId, [
      { op: "set", path: "/card", value: card },
      { op: "set", path: "/leases/announce", value: 0 },
    ]);
  }

  async releaseFollowUp(personId: string, requestId: string, step: LeasedStep): Promise<void> {
    await this.patch(personId, requestId, [{ op: "set", path: `/leases/${step}`, value: null }]);
  }

  async markFollowUps(personId: string, requestId: string, done: Partial<FollowUps>, finished: boolean): Promise<void> {
    const steps = Object.entries(done)
      .filter(([, value]) => value === true)
      .map(([step]) => step);
    const ops: PatchOperation[] = steps.map((step) => ({ op: "set", path: `/followUps/${step}`, value: true }));
    for (const step of steps)
      if (step === "card" || step === "requester") ops.push({ op: "set", path: `/leases/${step}`, value: 0 });
    if (finished) ops.push({ op: "set", path: "/unfinished", value: false });
    if (ops.length > 0) await this.patch(personId, requestId, ops);
  }

  async claimFollowUp(
    personId: string,
    requestId: string,
    step: LeasedStep,
    nowMs: number,
    leaseMs: number,
  ): Promise<boolean> {
    const stale = Math.floor(nowMs - leaseMs);
    try {
      await this.container.item(requestId, personId).patch({
        condition: `from c where IS_NULL(c.leases.${step}) or (c.leases.${step} > 0 and c.leases.${step} < ${stale})`,
        operations: [{ op: "set", path: `/leases/${step}`, value: Math.floor(nowMs) }],
      });
      return true;
    } catch (e) {
      const mapped = mapStoreError(e, "request");
      if (mapped instanceof PreconditionFailed) return false;
      throw mapped;
    }
  }

  async listPending(
    scope: { tenantIds: readonly string[] } | "all",
    page: { pageSize: number; continuation?: string | null },
  ): Promise<Page<AccessRequest>> {
    const spec: SqlQuerySpec =
      scope === "all"
        ? { query: "SELECT * FROM c WHERE c.type = 'request' AND c.status = 'pending' ORDER BY c.createdAt ASC" }
        : {
            query:
              "SELECT * FROM c WHERE c.type = 'request' AND c.status = 'pending' AND ARRAY_CONTAINS(@tenantIds, c.homeTenantId) ORDER BY c.createdAt ASC",
            parameters: [{ name: "@tenantIds", value: [...scope.tenantIds] }],
          };
    try {
      const result = await this.container.items
        .query<Doc>(spec, {
          maxItemCount: page.pageSize,
          ...(page.continuation ? { continuationToken: page.continuation } : {}),
        })
        .fetchNext();
      return { items: result.resources.map(toRequest), continuation: result.continuationToken ?? null };
    } catch (e) {
      throw mapStoreError(e, "requests");
    }
  }

  listUnfinished(limit: number): Promise<AccessRequest[]> {
    return this.docs.query("SELECT * FROM c WHERE c.type = 'request' AND c.unfinished = true", [], limit);
  }

  listPendingFiledBefore(iso: string, limit: number): Promise<AccessRequest[]> {
    return this.docs.query(
      "SELECT * FROM c WHERE c.type = 'request' AND c.status = 'pending' AND c.createdAt <= @at ORDER BY c.createdAt ASC",
      [{ name: "@at", value: iso }],
      limit,
    );
  }

  async markReminded(personId: string, requestId: string, at: string): Promise<void> {
    await this.patch(personId, requestId, [{ op: "set", path: "/remindedAt", value: at }]);
  }

  async countPending(scope: { tenantIds: readonly string[] } | "all"): Promise<number> {
    const spec: SqlQuerySpec =
      scope === "all"
        ? { query: "SELECT VALUE COUNT(1) FROM c WHERE c.type = 'request' AND c.status = 'pending'" }
        : {
            query:
              "SELECT VALUE COUNT(1) FROM c WHERE c.type = 'request' AND c.status = 'pending' AND ARRAY_CONTAINS(@tenantIds, c.homeTenantId)",
            parameters: [{ name: "@tenantIds", value: [...scope.tenantIds] }],
          };
    try {
      const { resources } = await this.container.items.query<number>(spec).fetchAll();
      return resources.reduce((sum, n) => sum + n, 0);
    } catch (e) {
      throw mapStoreError(e, "requests");
    }
  }

  listForPerson(personId: string, limit: number): Promise<AccessRequest[]> {
    return this.docs.query(
      "SELECT * FROM c WHERE c.personId = @p AND c.type = 'request' ORDER BY c.seq DESC",
      [{ name: "@p", value: personId }],
      limit,
      personId,
    );
  }

  listUnannounced(limit: number): Promise<AccessRequest[]> {
    return this.docs.query(
      "SELECT * FROM c WHERE c.type = 'request' AND c.status != 'cancelled' AND IS_NULL(c.card) ORDER BY c.createdAt ASC",
      [],
      limit,
    );
  }

  private async patch(personId: string, requestId: string, operations: PatchOperation[]): Promise<void> {
    try {
      await this.container.item(requestId, personId).patch(operations);
    } catch (e) {
      throw mapStoreError(e, "request");
    }
  }
}
